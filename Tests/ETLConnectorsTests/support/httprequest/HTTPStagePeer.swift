import Foundation
import XCTest
import ETLCore

/// Helpers the `http` transform and sink tests share: the peer's request log
/// read as typed values, and the HMAC a receiver would compute (by Python's
/// hmac module, not by our own code).
enum HTTPStagePeer {
    static func header(_ request: [String: Any], _ name: String) -> String? {
        let headers = request["headers"] as? [String: String] ?? [:]
        return headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    static func receivedAt(_ requests: [[String: Any]]) -> [Double] {
        requests.compactMap { $0["received_at"] as? Double }.sorted()
    }

    /// HMAC as a receiver computes it, by Python's hmac module.
    static func pythonHMAC(_ algorithm: String, key: String, body: String, base64: Bool = false) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let encode = base64 ? "base64.b64encode(mac.digest()).decode()" : "mac.hexdigest()"
        p.arguments = ["python3", "-c", "import base64,hmac,hashlib,sys; mac = hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.\(algorithm)); print(\(encode))", key, body]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Cancels `context` after `seconds`, from another thread (as the watchdog or a signal would).
    static func cancel(_ context: RunContext, after seconds: Double) {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { context.cancel("SIGTERM") }
    }
}
