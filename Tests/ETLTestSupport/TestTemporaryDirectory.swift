import Foundation

/// Temporary folders for tests, all inside one folder per test process that is removed
/// when the process exits: a suite run leaves nothing behind in TMPDIR (thousands of
/// leftover folders there once made every `etl run`'s sweep of stale run folders slow).
public enum TestTemporaryDirectory {
    /// A new, empty folder named `prefix` plus a random suffix.
    public static func make(_ prefix: String) -> String {
        let path = root + "/" + prefix + UUID().uuidString.prefix(8)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private static let root: String = {
        let path = NSTemporaryDirectory() + "etl-tests-\(getpid())-" + UUID().uuidString.prefix(6)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        rootForExit = strdup(path)
        atexit { TestTemporaryDirectory.removeRoot() }
        return path
    }()

    /// Read by the exit handler, which cannot capture anything.
    nonisolated(unsafe) private static var rootForExit: UnsafeMutablePointer<CChar>?

    private static func removeRoot() {
        guard let rootForExit else { return }
        try? FileManager.default.removeItem(atPath: String(cString: rootForExit))
    }
}
