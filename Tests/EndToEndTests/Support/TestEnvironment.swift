import Foundation
import ETLTestSupport
import XCTest

/// Where the repository, the built `etl` binary and the shared services are.
enum TestEnvironment {
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var etlBinary: String {
        if let bin = ProcessInfo.processInfo.environment["ETL_BIN"] { return bin }
        return repoRoot + "/.build/debug/etl"
    }

    /// The throwaway PostgreSQL that scripts/test started.
    static func databaseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw XCTSkip("DATABASE_URL not set: run the suite with scripts/test, which starts PostgreSQL")
        }
        return url
    }

    /// moto's S3 API that scripts/test started.
    static func s3Endpoint() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["ETL_TEST_S3_ENDPOINT"], !url.isEmpty else {
            throw XCTSkip("ETL_TEST_S3_ENDPOINT not set: run the suite with scripts/test, which starts moto_server")
        }
        return url
    }

    static func temporaryDirectory() -> String {
        TestTemporaryDirectory.make("etl-e2e-")
    }
}

/// The result of running a command to completion.
struct CommandResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String
    var output: String { stdout + stderr }
}

/// Runs processes the way an operator or cron would.
enum Command {
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                    directory: String? = nil, timeout: Double = 120) throws -> CommandResult {
        let process = try start(executable, arguments, environment: environment, directory: directory)
        return try process.wait(timeout: timeout)
    }

    static func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                      directory: String? = nil) throws -> RunningCommand {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let dir = TestEnvironment.temporaryDirectory()
        let out = dir + "/stdout", err = dir + "/stderr"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: out)
        p.standardError = FileHandle(forWritingAtPath: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return RunningCommand(process: p, stdoutPath: out, stderrPath: err)
    }
}

final class RunningCommand {
    let process: Process
    let stdoutPath: String
    let stderrPath: String

    init(process: Process, stdoutPath: String, stderrPath: String) {
        self.process = process; self.stdoutPath = stdoutPath; self.stderrPath = stderrPath
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    func wait(timeout: Double) throws -> CommandResult {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw NSError(domain: "e2e", code: 1, userInfo: [NSLocalizedDescriptionKey: "command timed out after \(timeout)s"])
        }
        process.waitUntilExit()
        let out = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return CommandResult(exitCode: process.terminationStatus, stdout: out, stderr: err)
    }
}
