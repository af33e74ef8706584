import Foundation

/// The run's own temporary directory (under TMPDIR, made on first use) for
/// files as large as a payload: a downloaded body is spooled there rather than
/// held in memory. Everything in it goes when the run ends, however it ends;
/// a process that could not clean up (SIGKILL, a second signal) leaves its
/// directory behind, and the next run that makes one removes it: the name
/// carries the owner's process id, and a directory whose owner is gone is stale.
public final class RunTemporaryFiles: @unchecked Sendable {
    private let lock = NSLock()
    private let prefix: String
    private var directory: String?

    public init(runID: String) {
        prefix = "etl-" + String(runID.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }) + "-p\(getpid())"
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
        Self.removeStale(in: base)
        return dir + "/" + name
    }

    /// Deletes `etl-…-p<pid>.XXXXXX` directories whose process no longer exists.
    static func removeStale(in base: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
        for name in names where name.hasPrefix("etl-") {
            guard let dot = name.lastIndex(of: "."), let p = name[..<dot].range(of: "-p", options: .backwards),
                  let pid = Int32(name[p.upperBound..<dot]), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH { try? FileManager.default.removeItem(atPath: base + "/" + name) }
        }
    }

    /// Deletes the directory and what is in it; the next `path` makes a new one.
    public func removeAll() {
        lock.lock(); defer { lock.unlock() }
        guard let directory else { return }
        try? FileManager.default.removeItem(atPath: directory)
        self.directory = nil
    }
}
