import Foundation
import ETLCore

/// A child process for the exec connectors: stdout read line by line,
/// stderr kept (the end of it goes into errors), killed on cancel or timeout.
final class ExecProcess {
    let process = Process()
    let name: String
    private let stdout = Pipe()
    private let stderrFile: String
    private var stdin: Pipe?

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
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v; Redactor.shared.add(v) }
        process.environment = env
        process.standardOutput = stdout
        stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("etl-exec-\(UUID().uuidString).err").path
        FileManager.default.createFile(atPath: stderrFile, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: stderrFile)
        if stdin { let p = Pipe(); self.stdin = p; process.standardInput = p } else { process.standardInput = FileHandle.nullDevice }
        do { try process.run() } catch { throw ETLError("cannot start \(name): \(error)") }
        let p = process
        context.onCancel { if p.isRunning { p.terminate() } }
        if let timeout {
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak self] in
                if p.isRunning { context.cancel("\(self?.name ?? "program") ran longer than \(DurationParser.format(timeout))"); p.terminate() }
            }
        }
    }

    /// Calls `body` with each line of standard output (without the newline).
    func readLines(_ body: ([UInt8]) throws -> Void) throws {
        let handle = stdout.fileHandleForReading
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
        stdin.fileHandleForWriting.write(data)
    }

    func closeInput() throws { try stdin?.fileHandleForWriting.close() }

    func kill() { if process.isRunning { process.terminate() } }

    /// Waits for the exit; a non-zero status is an error carrying the end of stderr.
    func finish() throws {
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: stderrFile) }
        guard process.terminationStatus == 0 else {
            let err = (try? String(contentsOfFile: stderrFile, encoding: .utf8)) ?? ""
            let tail = err.split(separator: "\n").suffix(5).joined(separator: " | ")
            throw ETLError("\(name) exited with status \(process.terminationStatus)\(tail.isEmpty ? "" : ": \(tail)")")
        }
    }
}
