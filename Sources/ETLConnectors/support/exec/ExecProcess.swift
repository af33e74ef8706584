import Foundation
import ETLCore

/// A child process for the exec connectors: stdout read line by line,
/// stderr kept (the end of it goes into errors), killed on cancel or timeout
/// together with everything it started (its own process group).
final class ExecProcess {
    let process: ProcessGroupChild
    let name: String
    private let stdout: FileHandle
    private let stderrFile: String
    private var stdin: FileHandle?

    static func resolve(_ command: [String], base: String) -> [String] {
        guard var first = command.first else { return [] }
        if first.hasPrefix("./") || first.hasPrefix("../") { first = base + "/" + first }
        let rest = command.dropFirst().map { arg -> String in
            (arg.hasPrefix("./") || arg.hasPrefix("../")) && FileManager.default.fileExists(atPath: base + "/" + arg) ? base + "/" + arg : arg
        }
        return [first] + rest
    }

    static func findExecutable(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    init(_ command: [String], environment: [(String, String)], context: RunContext, timeout: Double?, stdin: Bool = false) throws {
        name = command[0]
        guard let executable = ExecProcess.findExecutable(command[0]) else {
            throw ETLError("program '\(command[0])' not found", hint: "install it or give its full path in `command`")
        }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("etl-exec-\(UUID().uuidString).err").path
        FileManager.default.createFile(atPath: stderrFile, contents: nil)
        // Our ends of the pipes are close-on-exec (and the child closes every descriptor but 0-2):
        // a child never holds another child's pipe open.
        let output = try Self.pipe(), input = stdin ? try Self.pipe() : nil
        let errorFD = open(stderrFile, O_WRONLY | O_CLOEXEC), nullFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(output.write); if let input { close(input.read) }; close(errorFD); close(nullFD) }
        do {
            process = try ProcessGroupChild(executable: executable, arguments: Array(command.dropFirst()), environment: env,
                                            stdin: input?.read ?? nullFD, stdout: output.write, stderr: errorFD)
        } catch {
            close(output.read); if let input { close(input.write) }
            throw ETLError("cannot start \(name): \(error)")
        }
        self.stdout = FileHandle(fileDescriptor: output.read, closeOnDealloc: true)
        self.stdin = input.map { FileHandle(fileDescriptor: $0.write, closeOnDealloc: true) }
        let p = process
        context.onCancel { p.terminateGroup() }
        if let timeout {
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak self] in
                if p.isRunning { context.cancel("\(self?.name ?? "program") ran longer than \(DurationParser.format(timeout))"); p.terminateGroup() }
            }
        }
    }

    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { throw ETLError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// Calls `body` with each line of standard output (without the newline).
    func readLines(_ body: ([UInt8]) throws -> Void) throws {
        let handle = stdout
        var buffer: [UInt8] = []
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(contentsOf: chunk)
            var start = 0
            while let nl = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                try body(Array(buffer[start..<nl]))
                start = nl + 1
            }
            buffer.removeFirst(start)
        }
        if !buffer.isEmpty { try body(buffer) }
    }

    func write(_ data: Data) throws {
        guard let stdin else { return }
        guard process.isRunning else { try finish(); throw ETLError("\(name) exited before reading all records") }
        stdin.write(data)
    }

    func closeInput() throws { try stdin?.close(); stdin = nil }

    func kill() { process.terminateGroup() }

    /// Waits for the exit; a non-zero status is an error carrying the end of stderr.
    func finish() throws {
        let status = process.waitForExit()
        defer { try? FileManager.default.removeItem(atPath: stderrFile) }
        guard status == 0 else {
            let err = (try? String(contentsOfFile: stderrFile, encoding: .utf8)) ?? ""
            let tail = err.split(separator: "\n").suffix(5).joined(separator: " | ")
            throw ETLError("\(name) exited with status \(status)\(tail.isEmpty ? "" : ": \(tail)")")
        }
    }
}
