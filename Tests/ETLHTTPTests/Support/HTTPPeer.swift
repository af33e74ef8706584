import Foundation
import XCTest

/// Runs Tests/Support/http_peer.py as a child process on a free loopback port.
final class HTTPPeer {
    let port: Int
    let directory: URL
    private let process: Process
    private let logFile: URL

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `routes`: path → responses, as in the script's `routes` object. `files`: name → content, for `body_file`.
    init(routes: [String: [[String: Any]]], files: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("http-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, content) in files {
            try Data(content.utf8).write(to: directory.appendingPathComponent(name))
        }
        let scriptFile = directory.appendingPathComponent("script.json")
        try JSONSerialization.data(withJSONObject: ["routes": routes]).write(to: scriptFile)
        logFile = directory.appendingPathComponent("requests.jsonl")
        let portFile = directory.appendingPathComponent("port.txt")

        let peerScript = URL(fileURLWithPath: #filePath)   // Tests/ETLHTTPTests/Support/HTTPPeer.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/http_peer.py")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", peerScript.path, "--port", "0", "--script", scriptFile.path,
                             "--log", logFile.path, "--port-file", portFile.path]
        // Files, not pipes: a full pipe would block the peer.
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("peer.out").path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("peer.out"))
        process.standardError = process.standardOutput
        try process.run()

        let deadline = Date().addingTimeInterval(15)
        var found: Int? = nil
        while Date() < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let p = Int(text) { found = p; break }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            let output = (try? String(contentsOf: directory.appendingPathComponent("peer.out"), encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: directory)
            throw NSError(domain: "HTTPPeer", code: 1, userInfo: [NSLocalizedDescriptionKey: "http_peer.py did not start: \(output)"])
        }
        port = found
    }

    /// Every request the peer received, oldest first.
    func requests() -> [[String: Any]] {
        guard let text = try? String(contentsOf: logFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
