import Foundation
import XCTest
@testable import ETLHTTP

/// SMTP through libcurl against a real SMTP server on loopback.
final class SMTPClientTests: XCTestCase {
    var peer: SMTPPeer?
    override func tearDown() { peer?.stop() }

    let message = MailMessage(from: "ETL <etl@example.com>", to: ["ops@example.com", "Data Admin <admin@example.com>"],
                              subject: "Shipments synced", body: "12 shipments\n.a line starting with a dot\nbye",
                              date: Date(timeIntervalSince1970: 1_714_557_600))

    func testPlainSendDeliversEnvelopeHeadersAndBody() throws {
        let p = try SMTPPeer()
        peer = p
        try SMTPClient(url: "smtp://127.0.0.1:\(p.port)").send(message)
        let got = try XCTUnwrap(p.messages().first)
        XCTAssertEqual(got["mail_from"] as? String, "etl@example.com")
        XCTAssertEqual(got["rcpt_to"] as? [String], ["ops@example.com", "admin@example.com"])
        XCTAssertEqual(got["tls"] as? Bool, false)
        let data = try XCTUnwrap(got["data"] as? String)
        XCTAssertTrue(data.contains("From: ETL <etl@example.com>\r\n"), data)
        XCTAssertTrue(data.contains("To: ops@example.com, Data Admin <admin@example.com>\r\n"), data)
        XCTAssertTrue(data.contains("Subject: Shipments synced\r\n"), data)
        XCTAssertTrue(data.contains("Date: Wed, 01 May 2024 10:00:00 +0000\r\n"), data)
        XCTAssertTrue(data.contains("Message-ID: <"), data)
        // The dot line arrives intact: curl stuffed it, the server unstuffed it.
        XCTAssertTrue(data.hasSuffix("\r\n\r\n12 shipments\r\n.a line starting with a dot\r\nbye\r\n"), data)
    }

    func testLoginOverRequiredSTARTTLS() throws {
        let p = try SMTPPeer(auth: "mailer:s3cret-pass", tls: true)
        peer = p
        try SMTPClient(url: "smtp://127.0.0.1:\(p.port)", username: "mailer", password: "s3cret-pass",
                       starttls: .required, verifyTLS: false).send(message)
        let got = try XCTUnwrap(p.messages().first)
        XCTAssertEqual(got["tls"] as? Bool, true)
        XCTAssertEqual(got["auth_user"] as? String, "mailer")
    }

    func testImplicitTLS() throws {
        let p = try SMTPPeer(tls: true, implicitTLS: true)
        peer = p
        try SMTPClient(url: "smtps://127.0.0.1:\(p.port)", verifyTLS: false).send(message)
        XCTAssertEqual(p.messages().first?["tls"] as? Bool, true)
    }

    func testSelfSignedCertificateIsRefusedWhenVerifying() throws {
        let p = try SMTPPeer(tls: true)
        peer = p
        XCTAssertThrowsError(try SMTPClient(url: "smtp://127.0.0.1:\(p.port)", starttls: .required).send(message))
        XCTAssertTrue(p.messages().isEmpty)
    }

    func testRequiredSTARTTLSRefusesAServerWithoutIt() throws {
        let p = try SMTPPeer()
        peer = p
        XCTAssertThrowsError(try SMTPClient(url: "smtp://127.0.0.1:\(p.port)", starttls: .required).send(message)) { error in
            XCTAssertTrue((error as? SMTPError)?.hint?.contains("STARTTLS") == true, "\(error)")
        }
        XCTAssertTrue(p.messages().isEmpty)
    }

    func testWrongPasswordFailsWithoutShowingIt() throws {
        let p = try SMTPPeer(auth: "mailer:right-password")
        peer = p
        XCTAssertThrowsError(try SMTPClient(url: "smtp://127.0.0.1:\(p.port)", username: "mailer", password: "wrong-password-123")
            .send(message)) { error in
            let text = "\(error)"
            XCTAssertFalse(text.contains("wrong-password-123"), text)
            XCTAssertTrue(text.contains("password") || text.contains("535") || text.contains("Login denied"), text)
        }
        XCTAssertTrue(p.messages().isEmpty)
    }

    func testRejectedRecipientFailsTheSend() throws {
        let p = try SMTPPeer(rejectRecipient: "admin@")
        peer = p
        XCTAssertThrowsError(try SMTPClient(url: "smtp://127.0.0.1:\(p.port)").send(message)) { error in
            XCTAssertTrue("\(error)".contains("550"), "\(error)")
        }
    }

    func testUnreachableServerAndBadURL() {
        XCTAssertThrowsError(try SMTPClient(url: "smtp://127.0.0.1:1", connectTimeout: 2, timeout: 3).send(message)) { error in
            XCTAssertTrue((error as? SMTPError)?.hint?.contains("reachable") == true, "\(error)")
        }
        XCTAssertThrowsError(try SMTPClient(url: "http://127.0.0.1:1").send(message))
    }

    // MARK: the message

    func testHeadersCannotBeInjectedAndAddressesAreChecked() throws {
        var m = message
        m.subject = "hi\r\nBcc: victim@example.com"
        let text = String(decoding: m.rendered(), as: UTF8.self)
        XCTAssertFalse(text.contains("\r\nBcc:"), text)
        XCTAssertNotNil(MailMessage.problem(with: "a@b.c\r\nRCPT TO:<x@y>"))
        XCTAssertNotNil(MailMessage.problem(with: "not an address"))
        XCTAssertNotNil(MailMessage.problem(with: "a@b.c, d@e.f"))
        XCTAssertNil(MailMessage.problem(with: "Ops Team <ops@example.com>"))
        XCTAssertEqual(MailMessage.address("Ops Team <ops@example.com>"), "ops@example.com")
    }

    func testNonASCIISubjectAndBodyAreEncoded() throws {
        var m = message
        m.subject = "Versand: 12 Sendungen — Größe ✓"
        m.body = "Grüße\n" + String(repeating: "x", count: 1200)
        let text = String(decoding: m.rendered(), as: UTF8.self)
        XCTAssertTrue(text.contains("Subject: =?UTF-8?B?"), text)
        XCTAssertTrue(text.contains("Content-Transfer-Encoding: base64\r\n"), text)
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined()
        XCTAssertTrue(body.split(separator: "\r\n").allSatisfy { $0.count <= 76 })
        let decoded = Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: ""))
        XCTAssertEqual(decoded.map { String(decoding: $0, as: UTF8.self) }, m.body)
    }
}
