import Foundation
import XCTest

/// A real `moto_server` (S3 emulator) on a free loopback port; skips the test when it is not installed.
final class MotoServer {
    let port: Int
    private let process: Process
    private let directory: URL

    var endpoint: String { "http://127.0.0.1:\(port)" }

    init() throws {
        guard let binary = MotoServer.locate() else {
            throw XCTSkip("moto_server is not installed (pip install 'moto[server]')")
        }
        port = LoopbackPort.free()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let output = directory.appendingPathComponent("moto.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = process.standardOutput
        try process.run()

        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning, !LoopbackPort.isListening(port) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        guard process.isRunning, LoopbackPort.isListening(port) else {
            stop()
            let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw NSError(domain: "MotoServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "moto_server did not start: \(log)"])
        }
    }

    static func locate() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/moto_server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
