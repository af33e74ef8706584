import Foundation
import XCTest
import ETLCore
import ETLConnectors

/// The `email` notifier built from YAML options, sending to a real SMTP server on loopback.
final class EmailNotifierTests: XCTestCase {
    var peer: SMTPPeer?
    override func tearDown() { peer?.stop() }

    let variables = Fields([("pipeline", "shipments-sync"), ("status", "completed"), ("records_written", .int(42)),
                            ("items_changed", .int(7))])

    func testSubjectTemplateRecipientsAndBody() throws {
        let p = try SMTPPeer(auth: "etl:pw-for-mail")
        peer = p
        let notifier = try SourceHarness.notifier("email", """
            url: smtp://127.0.0.1:\(p.port)
            from: "ERP sync <etl@example.com>"
            to: "ops@example.com, sales@example.com"
            subject: "Shipments: {{ items_changed }} of {{ records_written }} changed"
            username: etl
            password: pw-for-mail
            """)
        try notifier.send(RunNotification(title: "shipments-sync completed", text: "7 changed · run r1 · status completed",
                                          variables: variables), SourceHarness.context())
        let got = try XCTUnwrap(p.messages().first)
        XCTAssertEqual(got["rcpt_to"] as? [String], ["ops@example.com", "sales@example.com"])
        XCTAssertEqual(got["auth_user"] as? String, "etl")
        let data = got["data"] as? String ?? ""
        XCTAssertTrue(data.contains("Subject: Shipments: 7 of 42 changed\r\n"), data)
        XCTAssertTrue(data.contains("shipments-sync completed\r\n\r\n7 changed\r\nrun r1\r\nstatus completed\r\n"), data)
    }

    func testBadOptionsAreConfigurationErrors() {
        XCTAssertThrowsError(try SourceHarness.notifier("email", "url: https://mail\nfrom: a@b.c\nto: [x@y.z]")) {
            XCTAssertTrue("\($0)".contains("smtp://"), "\($0)")
        }
        XCTAssertThrowsError(try SourceHarness.notifier("email", "url: smtp://mail\nfrom: nobody\nto: [x@y.z]"))
        XCTAssertThrowsError(try SourceHarness.notifier("email", "url: smtp://mail\nfrom: a@b.c\nto: [x@y.z]\nsubject: '{{ 1 + }}'"))
        XCTAssertThrowsError(try SourceHarness.notifier("email", "url: smtp://mail\nfrom: a@b.c\nto: [x@y.z]\npassword: p"))
    }

    func testAFailedSendThrowsWithoutTheURLsPassword() throws {
        let notifier = try SourceHarness.notifier("email", """
            url: smtp://user:hunter2-secret@127.0.0.1:1
            from: a@b.c
            to: [x@y.z]
            timeout: 3s
            """)
        XCTAssertThrowsError(try notifier.send(RunNotification(title: "t", text: "x", variables: variables), SourceHarness.context())) {
            XCTAssertFalse("\($0)".contains("hunter2-secret"), "\($0)")
        }
    }
}
