import Foundation

/// The run's own temporary directory (under TMPDIR, made on first use) for
/// files as large as a payload: a downloaded body is spooled there rather than
/// held in memory. Everything in it goes when the run ends, however it ends.
public final class RunTemporaryFiles: @unchecked Sendable {
    private let lock = NSLock()
    private let prefix: String
    private var directory: String?

    public init(runID: String) {
        prefix = "etl-" + String(runID.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
    }

    deinit { removeAll() }

    /// A path for `name` inside the run's directory (the file itself is not created).
    public func path(_ name: String) throws -> String {
        lock.lock(); defer { lock.unlock() }
        if let directory { return directory + "/" + name }
        var base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        var template = Array((base + "/" + prefix + ".XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            let reason = String(cString: strerror(errno))
            throw ETLError("cannot create a temporary directory in \(base): \(reason)",
                           hint: "set TMPDIR to a writable directory with room for the payload")
        }
        let dir = String(cString: made)
        directory = dir
        return dir + "/" + name
    }

    /// Deletes the directory and what is in it; the next `path` makes a new one.
    public func removeAll() {
        lock.lock(); defer { lock.unlock() }
        guard let directory else { return }
        try? FileManager.default.removeItem(atPath: directory)
        self.directory = nil
    }
}
