import Foundation
import XCTest

/// Tests/Support/http_peer.py on a free loopback port: answers each path from a
/// list of responses in order (the last repeats) and records every request.
final class ScriptedHTTPPeer {
    let port: Int
    let directory: String
    private let process: Process

    init(routes: [String: [[String: Any]]]) throws {
        directory = NSTemporaryDirectory() + "etl-conn-peer-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = directory + "/script.json"
        try JSONSerialization.data(withJSONObject: ["routes": routes]).write(to: URL(fileURLWithPath: script))
        let portFile = directory + "/port"
        let peer = URL(fileURLWithPath: #filePath)   // Tests/ETLConnectorsTests/Support/ScriptedHTTPPeer.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/http_peer.py").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", peer, "--port", "0", "--script", script, "--log", directory + "/requests.jsonl",
                             "--port-file", portFile]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var found: Int?
        for _ in 0..<300 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(text) { found = p; break }
            usleep(20_000)
        }
        guard let found else { process.terminate(); throw NSError(domain: "http_peer.py did not start", code: 1) }
        port = found
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Requests received so far, oldest first: method, path, query, headers, body.
    func requests(path: String? = nil) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: directory + "/requests.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { path == nil || ($0["path"] as? String) == path }
    }

    /// Query strings of the requests to `path`, in order.
    func queries(path: String) -> [String] { requests(path: path).map { $0["query"] as? String ?? "" } }

    func stop() { if process.isRunning { process.terminate(); process.waitUntilExit() } }
    deinit { stop() }
}
