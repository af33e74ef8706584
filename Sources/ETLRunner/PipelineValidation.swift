import Foundation
import ETLCore
import ETLConfig
import ETLConnectors

/// Finds pipeline files and validates them: what `etl validate` and the
/// first step of `etl run` share.
public enum PipelineValidation {
    /// YAML files under the given files and directories, sorted; missing paths are reported.
    public static func files(_ paths: [String]) -> (files: [String], diagnostics: [Diagnostic]) {
        var files: [String] = []
        var diagnostics: [Diagnostic] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                diagnostics.append(Diagnostic(.error, "no such file or directory: \(path)", at: nil))
                continue
            }
            if isDir.boolValue {
                let found = (fm.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                    .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !PipelineTestFiles.isTestFile($0) }
                    .map { (path as NSString).appendingPathComponent($0) }
                    .sorted()
                if found.isEmpty {
                    diagnostics.append(Diagnostic(.warning, "no pipeline files (*.yaml, *.yml) in \(path)", at: nil))
                }
                files += found
            } else {
                files.append(path)
            }
        }
        return (files, diagnostics)
    }

    /// Builds every connector of a valid spec without running it, so options only a
    /// connector understands (a key column missing from `columns` …) are caught too.
    /// A stage whose options use an unset variable (`unsetVariables`, by stage label) was
    /// built with empty text in its place: what it says about that is a warning, since
    /// the unset variable is already reported and `run` refuses it anyway.
    public static func buildCheck(_ spec: PipelineSpec, registry: ConnectorRegistry,
                                  unsetVariables: [String: [String]] = [:]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var context = BuildContext(baseDirectory: spec.baseDirectory, pipelineName: spec.name, dryRun: true, registry: registry,
                                   varNames: Set(spec.vars.map(\.name)))
        context.pipelineDatabase = spec.database
        let stages = [spec.source] + spec.transforms + spec.sinks + spec.notifiers.map(\.stage) + [spec.rejects.sink].compactMap { $0 }
        for stage in stages {
            do { _ = try registry.stage(stage.kind, stage.type, stage.options, context) }
            catch let e as ETLError {
                if let unset = unsetVariables[stage.label], !unset.isEmpty {
                    let names = unset.map { "${\($0)}" }.joined(separator: ", ")
                    out.append(Diagnostic(.warning, "\(e.message) (\(names) not set)", at: e.location ?? stage.location, hint: e.hint))
                    continue
                }
                out.append(Diagnostic(.error, e.message, at: e.location ?? stage.location, hint: e.hint))
            } catch {
                out.append(Diagnostic(.error, "\(error)", at: stage.location))
            }
        }
        return out
    }

    /// Runs each connector's health check (`--check-connections`).
    public static func connectionCheck(_ spec: PipelineSpec, registry: ConnectorRegistry) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var context = BuildContext(baseDirectory: spec.baseDirectory, pipelineName: spec.name, dryRun: true, registry: registry,
                                   varNames: Set(spec.vars.map(\.name)))
        context.pipelineDatabase = spec.database
        for stage in [spec.source] + spec.sinks + spec.notifiers.map(\.stage) {
            do {
                try registry.stage(stage.kind, stage.type, stage.options, context).checkConnection()
            } catch {
                out.append(Diagnostic(.error, "\(stage.type) \(stage.kind.rawValue) connection check failed: \(error)",
                                      at: stage.location, hint: "check the URL, credentials and that the service is up"))
            }
        }
        return out
    }
}
