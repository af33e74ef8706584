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
    /// TMPDIR may hold tens of thousands of entries (every run, and every other program,
    /// leaves names there), and this runs at the start of every run: the names are read
    /// with readdir and matched as bytes, so an entry that is not ours costs a few
    /// comparisons rather than a Foundation String and a Character-by-Character search.
    static func removeStale(in base: String) {
        guard let dir = opendir(base) else { return }
        var stale: [String] = []
        let me = getpid()
        while let entry = readdir(dir) {
            guard let pid = DirectoryEntryName.withBytes(of: entry, ownerPID(ofName:)), pid != me else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH { stale.append(DirectoryEntryName.string(of: entry)) }
        }
        closedir(dir)
        for name in stale { try? FileManager.default.removeItem(atPath: base + "/" + name) }
    }

    /// The process id in a run directory's name (`etl-<run id>-p<pid>.XXXXXX`: the digits
    /// between the last `-p` before the last `.` and that `.`), or nil for any other name.
    static func ownerPID(ofName name: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard name.count > 4, name[0] == UInt8(ascii: "e"), name[1] == UInt8(ascii: "t"), name[2] == UInt8(ascii: "l"),
              name[3] == UInt8(ascii: "-") else { return nil }
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")) else { return nil }
        var start = dot
        while start > 0, name[start - 1] >= UInt8(ascii: "0"), name[start - 1] <= UInt8(ascii: "9") { start -= 1 }
        guard start < dot, start >= 2, name[start - 1] == UInt8(ascii: "p"), name[start - 2] == UInt8(ascii: "-"),
              dot - start <= 10 else { return nil }
        var pid: Int64 = 0
        for digit in name[start..<dot] { pid = pid * 10 + Int64(digit - UInt8(ascii: "0")) }
        guard pid > 0, pid <= Int64(Int32.max) else { return nil }
        return Int32(pid)
    }

    /// `ownerPID(ofName:)` of a Swift string (tests, callers holding one).
    static func ownerPID(of name: String) -> Int32? {
        var name = name
        return name.withUTF8 { ownerPID(ofName: $0) }
    }

    /// Deletes the directory and what is in it; the next `path` makes a new one.
    public func removeAll() {
        lock.lock(); defer { lock.unlock() }
        guard let directory else { return }
        try? FileManager.default.removeItem(atPath: directory)
        self.directory = nil
    }
}
