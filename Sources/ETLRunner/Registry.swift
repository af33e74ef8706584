import Foundation
import ETLCore
import ETLConnectors

/// The registry the CLI uses: built-in connectors, then connector manifests
/// (`connectors/*.yaml`) from `ETL_CONNECTORS_PATH`, `./connectors` and the
/// `connectors/` folder beside each pipeline folder.
public enum Registry {
    public static func make() -> ConnectorRegistry { make(near: []).registry }

    /// Also reports problems in manifests, so `validate` can show them.
    public static func make(near pipelinePaths: [String]) -> (registry: ConnectorRegistry, diagnostics: [Diagnostic]) {
        let registry = BuiltinConnectors.makeRegistry()
        // Runner-level sources: they read other pipelines' files and bookkeeping.
        registry.register(SyncHealthSource.self)
        var directories: [String] = []
        if let path = ProcessInfo.processInfo.environment["ETL_CONNECTORS_PATH"] {
            directories += path.split(separator: ":").map(String.init)
        }
        directories.append(FileManager.default.currentDirectoryPath + "/connectors")
        for p in pipelinePaths {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: p, isDirectory: &isDir)
            let folder = isDir.boolValue ? p : (p as NSString).deletingLastPathComponent
            directories.append(((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent("../connectors"))
        }
        var seen = Set<String>()
        var diagnostics: [Diagnostic] = []
        for dir in directories {
            let real = (dir as NSString).standardizingPath
            let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: real)) ?? real
            guard seen.insert(URL(fileURLWithPath: resolved).standardizedFileURL.path).inserted else { continue }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: real, isDirectory: &isDir), isDir.boolValue else { continue }
            diagnostics += ConnectorManifest.loadAll(from: real, into: registry)
        }
        return (registry, diagnostics)
    }
}
