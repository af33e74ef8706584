import Foundation

/// The PostgreSQL the tests talk to: `DATABASE_URL` when set, otherwise a
/// throwaway cluster from `scripts/pg start`, made once per test process and
/// stopped when it exits. Each test target adds its own `connect()`.
public enum TestDatabase {
    public static let url: Result<String, Error> = {
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty { return .success(url) }
        return Result { try startThrowawayServer() }
    }()

    /// A table name no other test (or earlier run against a shared server) uses.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    private static func startThrowawayServer() throws -> String {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = repo.appendingPathComponent("scripts/pg").path
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("etl-pg-tests-\(UUID().uuidString.prefix(8))").path

        // popen, not Foundation's Process: its waitUntilExit can hang inside a
        // static initializer on Linux.
        guard let pipe = popen("/bin/bash '\(script)' start '\(directory)'", "r") else {
            throw SetupError(description: "could not run \(script)")
        }
        var output = ""
        var buffer = [CChar](repeating: 0, count: 4096)
        while fgets(&buffer, Int32(buffer.count), pipe) != nil { output += String(cString: buffer) }
        let status = pclose(pipe)
        guard status == 0,
              let line = output.split(separator: "\n").first(where: { $0.hasPrefix("export DATABASE_URL=") }) else {
            throw SetupError(description: "scripts/pg start failed (status \(status)): install PostgreSQL "
                             + "(apt-get install -y postgresql) or set DATABASE_URL")
        }
        serverDirectory = (script, directory)
        atexit { stopThrowawayServer() }
        return String(line.dropFirst("export DATABASE_URL=".count))
    }
}

public struct SetupError: Error, CustomStringConvertible {
    public var description: String
}

/// Set once the tests started their own server; read at exit.
private var serverDirectory: (script: String, directory: String)?

private func stopThrowawayServer() {
    guard let (script, directory) = serverDirectory else { return }
    serverDirectory = nil
    // system(), not Process: Foundation's run loop is no place to be during exit.
    _ = system("/bin/bash '\(script)' stop '\(directory)' >/dev/null 2>&1")
}
