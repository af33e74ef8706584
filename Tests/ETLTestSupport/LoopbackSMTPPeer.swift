import Foundation

/// Tests/Support/smtp_peer.py on a free loopback port: a real SMTP server that
/// records every message it accepts (envelope, data, login, TLS).
public final class LoopbackSMTPPeer {
    public let port: Int
    public let directory: String
    private let process: Process

    /// `auth`: "user:password" to require a login; `tls`: offer STARTTLS (or, with `implicitTLS`,
    /// speak TLS from the first byte) with a fresh self-signed certificate.
    public init(auth: String? = nil, tls: Bool = false, implicitTLS: Bool = false, rejectRecipient: String? = nil) throws {
        directory = TestTemporaryDirectory.make("etl-smtp-")
        let portFile = directory + "/port"
        var arguments = ["python3", LoopbackSMTPPeer.script, "--port", "0", "--log", directory + "/messages.jsonl", "--port-file", portFile]
        if let auth { arguments += ["--auth", auth] }
        if let rejectRecipient { arguments += ["--reject-rcpt", rejectRecipient] }
        if tls || implicitTLS {
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/key.pem",
                                 "-out", directory + "/cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1"]
            openssl.standardOutput = FileHandle.nullDevice
            openssl.standardError = FileHandle.nullDevice
            try openssl.run()
            openssl.waitUntilExit()
            arguments += ["--cert", directory + "/cert.pem", "--key", directory + "/key.pem"]
            if implicitTLS { arguments.append("--implicit-tls") }
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var found: Int?
        for _ in 0..<300 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(text) { found = p; break }
            usleep(20_000)
        }
        guard let found else { process.terminate(); throw NSError(domain: "smtp_peer.py did not start", code: 1) }
        port = found
    }

    static var script: String { TestPaths.support + "/smtp_peer.py" }

    /// Messages accepted so far: mail_from, rcpt_to, data, auth_user, tls.
    public func messages() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: directory + "/messages.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    public func stop() { if process.isRunning { process.terminate(); process.waitUntilExit() } }
    deinit { stop() }
}
