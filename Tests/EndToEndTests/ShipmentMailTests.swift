import Foundation
import XCTest

/// pipelines/shipments.yaml's customer mail ("Your order has shipped!") through
/// the `email` sink, against a real PostgreSQL, an HTTP peer for the ERP and an
/// SMTP peer: one mail per new shipment, sent only after the run commits.
final class ShipmentMailTests: XCTestCase {
    var db: TestDatabase!
    var erp: HTTPPeer?
    var mail: SMTPPeer!

    override func setUpWithError() throws {
        db = try TestDatabase()
        mail = try SMTPPeer()
        // The orders sync owns orders and customers; here they are seeded by hand.
        let setup = try String(contentsOfFile: TestEnvironment.repoRoot + "/sql/shipments.sql", encoding: .utf8)
        try db.query(setup)
        try db.query("""
            INSERT INTO customers (id, name, email) VALUES (1, 'Ada', 'ada@example.com'), (2, 'Bob', 'Bob <bob@example.com>');
            INSERT INTO orders (erp_order_id, order_number, customer_id) VALUES ('SO-10', 'ORD-10', 1), ('SO-20', 'ORD-20', 2),
              ('SO-40', 'ORD-40', 1);
            """)
    }

    override func tearDown() {
        erp?.stop()
        mail?.stop()
        db?.drop()
    }

    static func shipment(_ n: Int, status: String = "IN_TRANSIT") -> [String: Any] {
        ["id": "SH-\(n)", "orderId": "SO-\(n * 10)", "carrier": "UPS", "trackingNumber": "1Z\(n)",
         "shipDate": "2024-05-0\(n)", "estimatedDelivery": "2024-05-1\(n)", "status": status]
    }

    static func page(_ shipments: [[String: Any]]) -> [String: Any] {
        ["status": 200, "body": String(decoding: try! JSONSerialization.data(withJSONObject: shipments), as: UTF8.self)]
    }

    func run(_ pages: [[String: Any]], _ extra: [String] = []) throws -> CommandResult {
        erp?.stop()
        let peer = try HTTPPeer(routes: ["/shipments": pages])
        erp = peer
        let env = ["DATABASE_URL": db.url, "ERP_URL": peer.url, "ERP_TOKEN": "erp-tok-55",
                   "ARCHIVE_URL": TestEnvironment.temporaryDirectory() + "/archive",
                   "SMTP_URL": "smtp://127.0.0.1:\(mail.port)", "SHIPMENTS_MAIL_TO": "ops@example.com"]
        return try Command.run(TestEnvironment.etlBinary,
                               ["run", TestEnvironment.repoRoot + "/pipelines/shipments.yaml",
                                "--set", "source.retry.backoff=[0.01s, 0.01s]", "--set", "source.paginate.limit=2"] + extra,
                               environment: env, timeout: 60)
    }

    /// Messages to customers (the run summary to ops@ is the notifier's).
    func customerMails() -> [[String: Any]] {
        mail.messages().filter { ($0["rcpt_to"] as? [String]) != ["ops@example.com"] }
    }

    func testNewShipmentsMailTheirCustomerOnceWithTrackingDetails() throws {
        // SH-3's order is unknown: stored, but its mail is rejected with the reason.
        let first = try run([Self.page([Self.shipment(1), Self.shipment(2)]), Self.page([Self.shipment(3)])])
        XCTAssertEqual(first.exitCode, 0, first.output)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM shipments"), "3")
        XCTAssertTrue(first.output.contains("rejected by email"), first.output)
        XCTAssertTrue(first.output.contains("customer_email"), first.output)

        var mails = customerMails()
        XCTAssertEqual(mails.map { $0["rcpt_to"] as? [String] ?? [] }, [["ada@example.com"], ["bob@example.com"]])
        let ada = mails.first?["data"] as? String ?? ""
        XCTAssertTrue(ada.contains("Subject: Your order has shipped!\r\n"), ada)
        XCTAssertTrue(ada.contains("To: ada@example.com\r\n"), ada)
        XCTAssertTrue(ada.contains("Good news! Your order ORD-10 has shipped."), ada)
        XCTAssertTrue(ada.contains("Tracking: 1Z1\r\nCarrier: UPS\r\nEstimated delivery: 2024-05-11\r\n"), ada)
        XCTAssertTrue(ada.contains("Track your package: https://track.carrier.com/1Z1"), ada)
        XCTAssertTrue((mails.last?["data"] as? String ?? "").contains("https://track.carrier.com/1Z2"))
        // The summary counts rows, not mails, and the one rejected mail.
        let summary = mail.messages().first { ($0["rcpt_to"] as? [String]) == ["ops@example.com"] }?["data"] as? String ?? ""
        XCTAssertTrue(summary.contains("Subject: Shipments synced: 3 changed of 3\r\n"), summary)
        XCTAssertTrue(summary.contains("1 rejected"), summary)
        XCTAssertTrue(summary.contains("2 customers mailed, 0 mails failed."), summary)

        // Second run: SH-1 changes status (not new: no mail), SH-4 is new.
        let second = try run([Self.page([Self.shipment(1, status: "DELIVERED"), Self.shipment(4)]), Self.page([])])
        XCTAssertEqual(second.exitCode, 0, second.output)
        mails = customerMails()
        XCTAssertEqual(mails.count, 3)
        let sh4 = mails.last?["data"] as? String ?? ""
        XCTAssertEqual(mails.last?["rcpt_to"] as? [String], ["ada@example.com"])
        XCTAssertTrue(sh4.contains("Your order ORD-40 has shipped.") && sh4.contains("https://track.carrier.com/1Z4"), sh4)
    }

    func testFailedRunMailsNoOneAndTheNextRunDoes() throws {
        try db.query("""
            CREATE FUNCTION refuse_shipments() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'shipments are read-only today'; END $$;
            CREATE TRIGGER refuse BEFORE INSERT ON shipments FOR EACH ROW EXECUTE FUNCTION refuse_shipments();
            """)
        let failed = try run([Self.page([Self.shipment(1), Self.shipment(2)]), Self.page([])])
        XCTAssertEqual(failed.exitCode, 1, failed.output)
        XCTAssertTrue(failed.output.contains("shipments are read-only today"), failed.output)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM shipments"), "0")
        XCTAssertEqual(customerMails().count, 0)

        // Fixed: the shipments are still new, so their customers are mailed now.
        try db.query("DROP TRIGGER refuse ON shipments")
        let retry = try run([Self.page([Self.shipment(1), Self.shipment(2)]), Self.page([])])
        XCTAssertEqual(retry.exitCode, 0, retry.output)
        XCTAssertEqual(customerMails().map { $0["rcpt_to"] as? [String] ?? [] }, [["ada@example.com"], ["bob@example.com"]])
    }

    func testDryRunPrintsTheMailsAndSendsNone() throws {
        let result = try run([Self.page([Self.shipment(1), Self.shipment(2)]), Self.page([])], ["--dry-run"])
        XCTAssertEqual(result.exitCode, 0, result.output)
        XCTAssertTrue(result.stdout.contains("email: would send 2 messages"), result.output)
        XCTAssertTrue(result.stdout.contains("to ada@example.com: Your order has shipped!"), result.output)
        XCTAssertTrue(result.stdout.contains("to Bob <bob@example.com>: Your order has shipped!"), result.output)
        XCTAssertEqual(mail.messages().count, 0)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM shipments"), "0")
    }

    func testMoreNewShipmentsThanTheCapFailTheRunUnsent() throws {
        let result = try run([Self.page([Self.shipment(1), Self.shipment(2)]), Self.page([])],
                             ["--set", "sinks.1.max_per_run=1"])
        XCTAssertEqual(result.exitCode, 1, result.output)
        XCTAssertTrue(result.output.contains("more than 1 messages in one run"), result.output)
        XCTAssertEqual(customerMails().count, 0)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM shipments"), "0")
    }

    func testOneRefusedRecipientDoesNotStopTheOthers() throws {
        mail.stop()
        mail = try SMTPPeer(rejectRecipient: "ada@example.com")
        let result = try run([Self.page([Self.shipment(1), Self.shipment(2)]), Self.page([])])
        XCTAssertEqual(result.exitCode, 0, result.output)
        XCTAssertTrue(result.output.contains("not sent"), result.output)
        XCTAssertEqual(customerMails().map { $0["rcpt_to"] as? [String] ?? [] }, [["bob@example.com"]])
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM shipments"), "2")
    }
}
