import ArgumentParser
import Foundation
import ETLCore
import ETLConfig
import ETLRunner

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check pipeline files; report every problem as file:line:column with a hint. Exit 0 valid, 2 invalid.")

    @Argument(help: "Pipeline files or directories (default: pipelines/).")
    var paths: [String] = []

    @Flag(help: "Treat unset environment variables as errors (default: warnings, since CI has no production secrets).")
    var strict = false

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Flag(help: "Also try each connector's connection (database, API, webhook).")
    var checkConnections = false

    func run() throws {
        let roots = paths.isEmpty ? ["pipelines"] : paths
        let (registry, pluginDiagnostics) = Registry.make(near: roots)
        let (files, found) = PipelineValidation.files(roots)
        var all: [Diagnostic] = found + pluginDiagnostics
        var perFile: [(String, [Diagnostic])] = []
        // What validate prints is an edge: it passes a redactor that knows every secret met.
        let redactor = Redactor(secrets: Redactor.secrets(inEnvironment: ProcessInfo.processInfo.environment))
        for file in files {
            let result = PipelineLoader(registry: registry, strict: strict).load(path: file)
            redactor.add(contentsOf: result.secrets)
            var diagnostics = result.diagnostics
            if let spec = result.spec {
                diagnostics += PipelineValidation.buildCheck(spec, registry: registry, unsetVariables: result.unsetVariables)
                diagnostics += PipelineValidation.advice(spec, registry: registry)
                // Connections and fields are checked only on a pipeline whose configuration holds.
                if !diagnostics.contains(where: { $0.severity == .error }) {
                    if checkConnections { diagnostics += PipelineValidation.connectionCheck(spec, registry: registry) }
                    diagnostics += PipelineValidation.fieldCheck(spec, registry: registry, connect: checkConnections)
                }
            }
            diagnostics.sort { ($0.location?.line ?? 0, $0.location?.column ?? 0) < ($1.location?.line ?? 0, $1.location?.column ?? 0) }
            perFile.append((file, diagnostics))
            all += diagnostics
        }
        let errors = all.filter { $0.severity == .error }.count
        let warnings = all.filter { $0.severity == .warning }.count
        if format == .json {
            let items: [Value] = all.map { d in
                var f = Fields()
                f["file"] = d.location.map { .string($0.file) } ?? .null
                f["line"] = d.location.map { .int(Int64($0.line)) } ?? .null
                f["column"] = d.location.map { .int(Int64($0.column)) } ?? .null
                f["severity"] = .string(d.severity.rawValue)
                f["message"] = .string(d.message)
                f["hint"] = d.hint.map { .string($0) } ?? .null
                return .object(f)
            }
            let summary: Value = ["files": .int(Int64(files.count)), "errors": .int(Int64(errors)),
                                  "warnings": .int(Int64(warnings)), "diagnostics": .array(items)]
            print(redactor.redact(JSONWriter.string(summary)))
        } else {
            for d in found + pluginDiagnostics { print(redactor.redact(d.description)) }
            for (file, diagnostics) in perFile {
                for d in diagnostics { print(redactor.redact(d.description)) }
                if diagnostics.isEmpty { print("\(file): ok") }
            }
            print("\(files.count) file\(files.count == 1 ? "" : "s") checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
        }
        if errors > 0 || files.isEmpty { throw ExitCode(RunExitCode.invalidConfig.rawValue) }
    }
}
