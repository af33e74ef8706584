import Foundation
import XCTest

/// `etl serve` started as an operator would, on a port the system picks.
final class ServeProcess {
    let command: RunningCommand
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }

    init(_ pipelines: [String], environment: [String: String], workers: Int = 2, timeout: Double = 90) throws {
        command = try Command.start(TestEnvironment.etlBinary,
                                    ["serve"] + pipelines + ["--listen", "127.0.0.1:0", "--workers", String(workers)],
                                    environment: environment)
        let deadline = Date().addingTimeInterval(timeout)
        var found: Int?
        while found == nil && Date() < deadline && command.process.isRunning {
            found = ServeProcess.listeningPort(in: command.output)
            if found == nil { usleep(50_000) }
        }
        if found == nil { found = ServeProcess.listeningPort(in: command.output) }
        guard let found else {
            let out = command.output
            command.process.terminate()
            throw NSError(domain: "serve", code: 1, userInfo: [NSLocalizedDescriptionKey: "etl serve did not start listening:\n\(out)"])
        }
        port = found
    }

    static func listeningPort(in text: String) -> Int? {
        guard let r = text.range(of: "listening on 127.0.0.1:") else { return nil }
        return Int(text[r.upperBound...].prefix { $0.isNumber })
    }

    /// SIGTERM, then the exit.
    func stop(signal: Int32 = SIGTERM, timeout: Double = 60) throws -> CommandResult {
        command.signal(signal)
        return try command.wait(timeout: timeout)
    }

    deinit { if command.process.isRunning { kill(command.process.processIdentifier, SIGKILL) } }
}

extension RunningCommand {
    /// What the process printed so far, stdout and stderr.
    var output: String {
        ((try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "") + ((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }
}

struct WebhookAnswer {
    var status: Int
    var body: String
    var headers: [String: String]
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
}

/// Tests/Support/webhook_client.py: signs (HMAC over the raw bytes, optional timestamp) and sends.
enum WebhookClient {
    static func send(_ requests: [[String: Any]], concurrency: Int = 1) throws -> [WebhookAnswer] {
        let file = TestEnvironment.temporaryDirectory() + "/requests.json"
        try JSONSerialization.data(withJSONObject: requests).write(to: URL(fileURLWithPath: file))
        let r = try Command.run("/usr/bin/env", ["python3", TestEnvironment.repoRoot + "/Tests/Support/webhook_client.py",
                                                 "--requests", file, "--concurrency", String(concurrency)], timeout: 600)
        guard r.exitCode == 0 else { throw NSError(domain: "client", code: 1, userInfo: [NSLocalizedDescriptionKey: r.output]) }
        return r.stdout.split(separator: "\n").map { line in
            let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
            return WebhookAnswer(status: o["status"] as? Int ?? -1, body: o["body"] as? String ?? (o["error"] as? String ?? ""),
                                 headers: o["headers"] as? [String: String] ?? [:])
        }
    }

    static func one(_ request: [String: Any]) throws -> WebhookAnswer { try send([request])[0] }
}

/// Waits for a condition of the database (processing is asynchronous); fails the test past the deadline.
func eventually(_ what: String, timeout: Double = 60, file: StaticString = #filePath, line: UInt = #line,
                _ condition: () throws -> Bool) rethrows {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return }
        usleep(100_000)
    }
    XCTFail("not reached within \(Int(timeout))s: \(what)", file: file, line: line)
}
