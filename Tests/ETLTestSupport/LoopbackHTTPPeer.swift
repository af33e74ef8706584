import Foundation

/// Tests/Support/http_peer.py on a free loopback port: a real HTTP server that
/// answers each path from a list of responses in order (the last repeats) and
/// records every request. Stands in for the ERP, CRM, Slack and webhook peers.
public final class LoopbackHTTPPeer {
    public let port: Int
    /// Folder holding the script, the request log and any `files`.
    public let folder: String
    private let process: Process

    /// `routes`: path → responses, e.g. `["/inventory": [["status": 500], ["status": 200, "body": "[]"]]]`.
    /// A response may have `status`, `body`, `body_file` (a name from `files`), `headers`, `delay`, `truncate`.
    public init(routes: [String: [[String: Any]]], files: [String: String] = [:]) throws {
        folder = TestTemporaryDirectory.make("etl-http-peer-")
        for (name, content) in files { try content.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        let script = folder + "/script.json"
        try JSONSerialization.data(withJSONObject: ["routes": routes]).write(to: URL(fileURLWithPath: script))
        let portFile = folder + "/port"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestPaths.support + "/http_peer.py", "--port", "0", "--script", script,
                             "--log", folder + "/requests.jsonl", "--port-file", portFile]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        port = try TestPaths.waitForPort(portFile, process: process, name: "http_peer.py")
    }

    public var url: String { "http://127.0.0.1:\(port)" }
    public var baseURL: String { url }

    /// Requests received so far, oldest first: method, path, query, headers, body.
    public func requests(path: String? = nil) -> [[String: Any]] {
        TestPaths.jsonLines(folder + "/requests.jsonl").filter { path == nil || ($0["path"] as? String) == path }
    }

    /// Bodies of the requests to `path`, as text.
    public func bodies(path: String) -> [String] { requests(path: path).compactMap { $0["body"] as? String } }

    /// Query strings of the requests to `path`, in order.
    public func queries(path: String) -> [String] { requests(path: path).map { $0["query"] as? String ?? "" } }

    public func stop() { if process.isRunning { process.terminate(); process.waitUntilExit() } }
    deinit { stop() }
}

/// Where the shared test scripts are, and small helpers the peers share.
public enum TestPaths {
    /// `Tests/Support`, found from this file's own path.
    public static var support: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support").path
    }

    static func waitForPort(_ portFile: String, process: Process, name: String) throws -> Int {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
               let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return port }
            if !process.isRunning { break }
            usleep(20_000)
        }
        if process.isRunning { process.terminate() }
        throw NSError(domain: "\(name) did not start", code: 1)
    }

    static func jsonLines(_ path: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}
