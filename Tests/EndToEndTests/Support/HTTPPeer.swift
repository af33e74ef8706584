import Foundation
import XCTest

/// A real HTTP server on loopback (Tests/Support/http_peer.py) answering from a
/// script and recording every request: the ERP API, Slack, webhooks.
final class HTTPPeer {
    let port: Int
    let directory: String
    private let process: Process

    /// `routes`: path → responses used in order (the last repeats). A response is
    /// {"status": 200, "body": "...", "headers": {...}, "delay": 1.5, "truncate": true}.
    init(routes: [String: [[String: Any]]]) throws {
        directory = TestEnvironment.temporaryDirectory()
        let script = directory + "/script.json"
        let data = try JSONSerialization.data(withJSONObject: ["routes": routes])
        try data.write(to: URL(fileURLWithPath: script))
        let portFile = directory + "/port"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestEnvironment.repoRoot + "/Tests/Support/http_peer.py", "--port", "0",
                             "--script", script, "--log", directory + "/requests.jsonl", "--port-file", portFile]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var found: Int?
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
               let p = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) { found = p; break }
            usleep(25_000)
        }
        guard let found else { process.terminate(); throw NSError(domain: "peer", code: 1) }
        port = found
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() { if process.isRunning { process.terminate(); process.waitUntilExit() } }
    deinit { stop() }

    /// Requests received so far, oldest first.
    func requests(path: String? = nil) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: directory + "/requests.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { path == nil || ($0["path"] as? String) == path }
    }

    /// Bodies of the requests to `path`, as text.
    func bodies(path: String) -> [String] { requests(path: path).compactMap { $0["body"] as? String } }
}
