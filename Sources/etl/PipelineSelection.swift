import ArgumentParser
import Foundation
import ETLCore
import ETLConfig
import ETLRunner

/// How the operator's commands find pipelines: files or directories as given
/// (default `pipelines/` in the current directory), or a pipeline named by its
/// `name:` or its file's base name (`inventory` finds pipelines/inventory.yaml).
struct PipelineSelection {
    struct Loaded {
        var file: String
        var spec: PipelineSpec
        var secrets: [String]
    }

    let redactor = Redactor(secrets: Redactor.secrets(inEnvironment: ProcessInfo.processInfo.environment))

    /// Every pipeline under `paths`. Files that do not load are reported on stderr and left out.
    func load(_ paths: [String]) throws -> [Loaded] {
        let roots = paths.isEmpty ? ["pipelines"] : paths
        let (files, diagnostics) = PipelineValidation.files(roots)
        for d in diagnostics where d.severity == .error { warn(d.description) }
        if files.isEmpty {
            warn("error: no pipeline files in \(roots.joined(separator: ", ")) (give a file or directory, or run from the project directory)")
            throw ExitCode(RunExitCode.invalidConfig.rawValue)
        }
        let (registry, _) = Registry.make(near: roots)
        return files.compactMap { file in
            let result = PipelineLoader(registry: registry).load(path: file)
            redactor.add(contentsOf: result.secrets)
            guard let spec = result.spec else {
                let first = result.diagnostics.first { $0.severity == .error }?.description ?? "invalid"
                warn("\(file): skipped, invalid pipeline: \(first) (see `etl validate \(file)`)")
                return nil
            }
            return Loaded(file: file, spec: spec, secrets: result.secrets)
        }
    }

    /// One pipeline: a file, or a name looked up under pipelines/.
    func one(_ nameOrPath: String) throws -> Loaded {
        if FileManager.default.fileExists(atPath: nameOrPath), !isDirectory(nameOrPath) {
            guard let loaded = try load([nameOrPath]).first else { throw ExitCode(RunExitCode.invalidConfig.rawValue) }
            return loaded
        }
        let all = try load([])
        if let hit = all.first(where: { $0.spec.name == nameOrPath || Self.baseName($0.file) == nameOrPath }) { return hit }
        let names = all.map(\.spec.name)
        let hint = Suggest.didYouMean(nameOrPath, names + all.map { Self.baseName($0.file) }) ?? "known: \(names.joined(separator: ", "))"
        warn("error: no pipeline named '\(nameOrPath)' in pipelines/ (\(hint))")
        throw ExitCode(RunExitCode.invalidConfig.rawValue)
    }

    static func baseName(_ file: String) -> String {
        var name = (file as NSString).lastPathComponent
        for ext in [".yaml", ".yml"] where name.hasSuffix(ext) { name = String(name.dropLast(ext.count)) }
        return name
    }

    private func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// Everything these commands print about a database passes the redactor (URLs carry passwords).
    func warn(_ text: String) { FileHandle.standardError.write(Data((redactor.redact(text) + "\n").utf8)) }
    func say(_ text: String) { print(redactor.redact(text)) }
}
