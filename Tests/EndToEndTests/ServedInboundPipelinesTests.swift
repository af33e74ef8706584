import Foundation
import XCTest
import ETLTestSupport

/// The three shipped webhook pipelines served as in production: the built binary
/// `etl serve pipelines/…` on loopback, a fresh PostgreSQL (setup SQL run by serve),
/// a Python sender signing the raw bytes, a loopback SMTP server and Slack catcher.
final class ServedInboundPipelinesTests: XCTestCase {
    static let crmSecret = "crm-hmac-5e1f0a"
    static let inventorySecret = "inv-hmac-77c2d9"
    static let erpKey = "erp-api-key-3b8e41"
    static let pipelines = ["crm-inbound", "erp-webhook", "inventory-adjustments"].map { TestEnvironment.repoRoot + "/pipelines/\($0).yaml" }

    var db: TestDatabase!
    var slack: HTTPPeer!
    var mail: SMTPPeer!
    var serve: ServeProcess!

    override func setUpWithError() throws {
        db = try TestDatabase()
        slack = try HTTPPeer(routes: ["/slack": [["status": 200, "body": "ok"]]])
        mail = try SMTPPeer()
        // Tables the shop owns, filled before serve starts (serve's setup only adds columns).
        try db.query("""
            CREATE TABLE customers (id SERIAL PRIMARY KEY, name TEXT, email TEXT);
            INSERT INTO customers (id, name, email) VALUES (7, 'Bob', 'bob@example.com');
            CREATE TABLE products (id SERIAL PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT,
                                   reorder_point INTEGER, reorder_quantity INTEGER);
            INSERT INTO products (sku, name, reorder_point, reorder_quantity) VALUES ('SKU-1', 'Widget', 5, 50);
            """)
        serve = try ServeProcess(Self.pipelines, environment: [
            "DATABASE_URL": db.url, "CRM_WEBHOOK_SECRET": Self.crmSecret, "INVENTORY_WEBHOOK_SECRET": Self.inventorySecret,
            "ERP_WEBHOOK_KEY": Self.erpKey, "SMTP_URL": "smtp://127.0.0.1:\(mail.port)", "SLACK_WEBHOOK_URL": slack.url + "/slack",
            "SALES_EMAIL": "sales@shop.example", "PURCHASING_EMAIL": "buyers@shop.example", "ETL_SERVE_BACKOFF": "0.2",
        ], workers: 4)
    }

    override func tearDown() {
        if let serve, serve.command.process.isRunning { _ = try? serve.stop() }
        slack?.stop()
        mail?.stop()
        db?.drop()
    }

    private func signed(_ path: String, _ body: String, secret: String) -> [String: Any] {
        ["url": serve.url + path, "body": body, "headers": ["Content-Type": "application/json"],
         "hmac": ["secret": secret, "header": "X-Webhook-Signature", "prefix": "sha256="]]
    }

    private func crm(_ body: String, secret: String = ServedInboundPipelinesTests.crmSecret) -> [String: Any] {
        signed("/hooks/crm", body, secret: secret)
    }

    private func inventory(_ body: String) -> [String: Any] {
        signed("/hooks/inventory", body, secret: Self.inventorySecret)
    }

    private func erp(_ body: String, key: String = ServedInboundPipelinesTests.erpKey) -> [String: Any] {
        ["url": serve.url + "/hooks/erp", "body": body, "headers": ["Content-Type": "application/json", "X-API-Key": key]]
    }

    private func count(_ sql: String) throws -> Int { Int(try db.scalar(sql)) ?? -1 }

    private func subjects() -> [String] {
        mail.messages().compactMap { m in
            (m["data"] as? String)?.split(whereSeparator: \.isNewline).first { $0.hasPrefix("Subject:") }
                .map { String($0.dropFirst("Subject:".count)).trimmingCharacters(in: .whitespaces) }
        }
    }

    func testCRMEventsAreVerifiedStoredOnceAppliedAndConflictsRecorded() throws {
        let created = #"{"event": "created", "type": "contact", "id": "c-1", "timestamp": "2024-05-01T10:00:00Z", "data": {"firstName": "Ada", "email": "ADA@example.com"}}"#
        let answers = try WebhookClient.send([
            crm(created, secret: "not-the-secret"),                                                    // 0 bad signature
            ["url": serve.url + "/hooks/crm", "body": created],                                        // 1 no signature
            crm(#"{"event": "created", "type": "lead", "id": "l-1", "timestamp": "2024-05-01T10:00:00Z"}"#), // 2 unknown type
            crm(created),                                                                              // 3 accepted
        ])
        XCTAssertEqual(answers.map(\.status), [401, 401, 400, 202], answers.map(\.body).joined(separator: "\n"))
        XCTAssertEqual(answers[2].json["error"] as? String, "Unknown record type: lead")
        XCTAssertEqual(try count("SELECT count(*) FROM etl_inbox WHERE pipeline = 'crm-inbound'"), 1, "refusals store nothing")
        try eventually("contact c-1 applied") { try db.scalar("SELECT email FROM contacts WHERE external_id = 'c-1'") == "ada@example.com" }

        // The identical bytes again: acknowledged as a duplicate, not processed again.
        let again = try WebhookClient.one(crm(created))
        XCTAssertEqual(again.status, 200, again.body)
        XCTAssertEqual(again.json["status"] as? String, "duplicate")

        // A local edit, then an older CRM update and an older delete: both become conflicts.
        try db.query("UPDATE contacts SET first_name = 'Local', updated_at = '2024-05-03T00:00:00Z' WHERE external_id = 'c-1'")
        let late = try WebhookClient.send([
            crm(#"{"event": "updated", "type": "contact", "id": "c-1", "timestamp": "2024-05-02T10:00:00Z", "data": {"firstName": "Remote"}}"#),
            crm(#"{"event": "deleted", "type": "contact", "id": "c-1", "timestamp": "2024-05-02T11:00:00Z"}"#),
        ])
        XCTAssertEqual(late.map(\.status), [202, 202], late.map(\.body).joined(separator: "\n"))
        try eventually("two conflicts recorded") { try count("SELECT count(*) FROM sync_conflicts") == 2 }
        try eventually("every event done") {
            try count("SELECT count(*) FROM etl_inbox WHERE pipeline = 'crm-inbound' AND status = 'done'") == 3
        }
        XCTAssertEqual(try db.query("SELECT first_name, deleted_at IS NULL FROM contacts"), [["Local", "t"]])
        XCTAssertEqual(try db.query("SELECT event, record_id, local_data->>'first_name', status FROM sync_conflicts ORDER BY event DESC"),
                       [["updated", "c-1", "Local", "pending"], ["deleted", "c-1", "Local", "pending"]])
        XCTAssertEqual(try count("SELECT count(*) FROM sync_events WHERE source = 'crm'"), 3, "one row per stored event, the duplicate not")
        XCTAssertEqual(try count("SELECT count(*) FROM sync_events WHERE received_at IS NULL"), 0)
    }

    func testInventoryMovementsAnswerAfterCommitRefuseNegativeStockAndSumUnderConcurrency() throws {
        func move(_ type: String, _ quantity: Int, _ reference: String) -> [String: Any] {
            inventory(#"{"source": "pos", "sku": "SKU-1", "warehouse": "MAIN", "type": "\#(type)", "quantity": \#(quantity), "reason": "test", "reference": "\#(reference)"}"#)
        }
        let receipt = try WebhookClient.one(move("receipt", 10, "r-1"))
        XCTAssertEqual(receipt.status, 200, receipt.body)
        XCTAssertEqual(receipt.json["status"] as? String, "applied")
        XCTAssertEqual(receipt.json["quantity_after"] as? Int, 10)
        XCTAssertEqual(try db.scalar("SELECT quantity_on_hand FROM warehouse_stock WHERE sku = 'SKU-1'"), "10", "committed before the answer")

        let negative = try WebhookClient.one(move("shipment", 11, "r-2"))
        XCTAssertEqual(negative.status, 400, negative.body)
        XCTAssertEqual(negative.json["error"] as? String, "Inventory cannot be negative")
        XCTAssertEqual(negative.json["current_qty"] as? Int, 10)
        XCTAssertEqual(negative.json["attempted_qty"] as? Int, -1)
        XCTAssertEqual(try db.scalar("SELECT quantity_on_hand FROM warehouse_stock"), "10")
        XCTAssertEqual(try count("SELECT count(*) FROM inventory_transactions"), 1, "nothing written for the refused movement")

        let unsigned = try WebhookClient.one(["url": serve.url + "/hooks/inventory", "body": #"{"sku": "SKU-1"}"#])
        XCTAssertEqual(unsigned.status, 401)

        // 40 movements at once, 8 in flight: +3 twenty times, −1 twenty times.
        let burst = (0..<40).map { i in i % 2 == 0 ? move("receipt", 3, "b-\(i)") : move("shipment", 1, "b-\(i)") }
        let answers = try WebhookClient.send(burst, concurrency: 8)
        XCTAssertEqual(Set(answers.map(\.status)), [200], answers.map(\.body).joined(separator: "\n"))
        XCTAssertEqual(try db.scalar("SELECT quantity_on_hand FROM warehouse_stock"), "\(10 + 20 * 3 - 20)")
        XCTAssertEqual(try count("SELECT count(*) FROM inventory_transactions"), 41)
        XCTAssertEqual(try count("""
            SELECT count(*) FROM (SELECT quantity_before, lag(quantity_after) OVER (ORDER BY id) AS previous FROM inventory_transactions) c
            WHERE previous IS NOT NULL AND previous <> quantity_before
            """), 0, "each movement starts where the one before it ended")

        // Down through the reorder point (5) and to 0: one Slack message each, per movement.
        let down = try WebhookClient.send([move("count", 6, "d-1"), move("shipment", 2, "d-2"), move("shipment", 4, "d-3")])
        XCTAssertEqual(down.map(\.status), [200, 200, 200], down.map(\.body).joined(separator: "\n"))
        try eventually("Slack messages") { slack.requests(path: "/slack").count >= 2 }
        let texts = slack.bodies(path: "/slack").joined(separator: "\n")
        XCTAssertEqual(texts.components(separatedBy: "Low Stock").count - 1, 1, texts)
        XCTAssertEqual(texts.components(separatedBy: "Out of Stock").count - 1, 1, texts)
    }

    func testERPEventsNeedTheKeyAndReachOrdersStockAndMail() throws {
        let wrong = try WebhookClient.one(erp(#"{"eventType": "created", "entity": "salesOrder", "entityId": "SO-1", "payload": {}}"#, key: "nope"))
        XCTAssertEqual(wrong.status, 401)
        let answers = try WebhookClient.send([
            erp(#"{"eventType": "created", "entity": "salesOrder", "entityId": "SO-1", "payload": {"orderNumber": "1001", "customerId": 7, "status": "open", "total": 100, "currency": "EUR", "lineItems": [{"sku": "SKU-1", "quantity": 2, "unitPrice": 50, "lineTotal": 100}]}}"#),
            erp(#"{"eventType": "updated", "entity": "inventory", "entityId": "SKU-1", "payload": {"warehouse": "MAIN", "qtyOnHand": 4, "qtyAvailable": 3}}"#),
            erp(#"{"eventType": "created", "entity": "invoice", "entityId": "INV-1", "payload": {"total": 5}}"#),
        ])
        XCTAssertEqual(answers.map(\.status), [202, 202, 202], answers.map(\.body).joined(separator: "\n"))
        try eventually("events done") { try count("SELECT count(*) FROM etl_inbox WHERE pipeline = 'erp-webhook' AND status = 'done'") == 3 }
        XCTAssertEqual(try db.query("SELECT order_number, customer_id, status, total FROM orders"), [["1001", "7", "open", "100"]])
        XCTAssertEqual(try db.query("SELECT line_number, sku, quantity FROM order_lines"), [["1", "SKU-1", "2"]])
        XCTAssertEqual(try db.query("SELECT quantity_on_hand, quantity_available FROM warehouse_stock"), [["4", "3"]])
        XCTAssertEqual(try db.query("SELECT sku, current_qty, reorder_point FROM stock_alerts"), [["SKU-1", "3", "5"]])
        XCTAssertEqual(try db.query("SELECT record_type FROM sync_events ORDER BY record_type"), [["inventory"], ["invoice"], ["salesOrder"]])

        let update = try WebhookClient.one(erp(#"{"eventType": "updated", "entity": "salesOrder", "entityId": "SO-1", "payload": {"status": "shipped"}}"#))
        XCTAssertEqual(update.status, 202)
        try eventually("three mails") { mail.messages().count >= 3 }
        XCTAssertEqual(Set(subjects()), ["New Order: 1001", "Low Stock Alert: SKU-1", "Order Update: 1001"])
        XCTAssertTrue(mail.messages().contains { ($0["rcpt_to"] as? [String]) == ["bob@example.com"] })
        let stopped = try serve.stop()
        XCTAssertEqual(stopped.exitCode, 0, stopped.output)
        XCTAssertFalse(stopped.output.contains(Self.erpKey) || stopped.output.contains(Self.crmSecret))
    }
}
