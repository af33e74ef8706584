import Foundation
import XCTest

/// The shipped webhook pipelines' processing — what `etl serve` runs for each claimed
/// inbox batch — driven by `etl run` over the records the webhook source produces
/// (see WebhookPipelineRun): real PostgreSQL, a loopback SMTP server and Slack catcher.
final class InboundPipelinesTests: XCTestCase {
    var db: TestDatabase!
    var peers: [HTTPPeer] = []
    var smtp: SMTPPeer?

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() {
        peers.forEach { $0.stop() }
        smtp?.stop()
        db?.drop()
    }

    private func slack() throws -> HTTPPeer {
        let p = try HTTPPeer(routes: ["/slack": [["status": 200, "body": "ok"]]])
        peers.append(p)
        return p
    }

    private func mailServer() throws -> SMTPPeer {
        let s = try SMTPPeer()
        smtp = s
        return s
    }

    private static func subjects(_ peer: SMTPPeer) -> [String] {
        peer.messages().compactMap { m in
            (m["data"] as? String)?.split(whereSeparator: \.isNewline).first { $0.hasPrefix("Subject:") }
                .map { String($0.dropFirst("Subject:".count)).trimmingCharacters(in: .whitespacesAndNewlines) }
        }
    }

    private static func recipients(_ peer: SMTPPeer) -> [String] {
        peer.messages().flatMap { $0["rcpt_to"] as? [String] ?? [] }
    }

    // MARK: CRM inbound

    private func crmEvent(_ event: String, _ type: String, _ id: String, _ timestamp: String, _ data: [String: Any]? = nil) -> [String: Any] {
        var e: [String: Any] = ["event": event, "type": type, "id": id, "timestamp": timestamp]
        if let data { e["data"] = data }
        return e
    }

    private func runCRM(_ events: [[String: Any]]) throws -> CommandResult {
        try WebhookPipelineRun("crm-inbound", events: events).run(["DATABASE_URL": db.url, "CRM_WEBHOOK_SECRET": "crm-secret"])
    }

    func testCRMEventsUpsertAndSoftDeleteByExternalIDAndAreLoggedInSyncEvents() throws {
        let r = try runCRM([
            crmEvent("created", "contact", "c-1", "2024-05-01T10:00:00Z",
                     ["firstName": "Ada", "lastName": "Lovelace", "email": " Ada@Example.com ", "account": ["name": "Acme"], "leadSource": "web"]),
            crmEvent("created", "account", "a-1", "2024-05-01T10:00:00Z",
                     ["name": "Acme", "industry": "Tools", "website": "acme.example", "annualRevenue": 1000000.5,
                      "numberOfEmployees": 12, "billingAddress": ["city": "Paris"]]),
            crmEvent("created", "opportunity", "o-1", "2024-05-01T10:00:00Z",
                     ["name": "Big deal", "accountId": "a-1", "amount": 5000, "stageName": "Prospecting", "probability": 10, "closeDate": "2024-06-30"]),
        ])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try db.query("SELECT external_id, external_source, first_name, email, company, source, updated_at FROM contacts"),
                       [["c-1", "crm", "Ada", "ada@example.com", "Acme", "web", "2024-05-01 10:00:00+00"]])
        XCTAssertEqual(try db.query("SELECT external_id, company_name, industry, annual_revenue, employee_count, billing_address->>'city' FROM accounts"),
                       [["a-1", "Acme", "Tools", "1000000.5", "12", "Paris"]])
        XCTAssertEqual(try db.query("SELECT external_id, name, account_id, amount, stage, probability, close_date FROM opportunities"),
                       [["o-1", "Big deal", "a-1", "5000", "Prospecting", "10", "2024-06-30"]])

        let update = try runCRM([
            crmEvent("updated", "contact", "c-1", "2024-05-02T10:00:00Z", ["firstName": "Ada", "title": "Countess"]),
            crmEvent("deleted", "opportunity", "o-1", "2024-05-02T10:00:00Z"),
        ])
        XCTAssertEqual(update.exitCode, 0, update.output)
        XCTAssertEqual(try db.query("SELECT title, updated_at, deleted_at IS NULL FROM contacts"), [["Countess", "2024-05-02 10:00:00+00", "t"]])
        XCTAssertEqual(try db.query("SELECT deleted_at IS NOT NULL, deleted_from FROM opportunities"), [["t", "crm"]])
        XCTAssertEqual(try db.query("""
            SELECT direction, source, event, record_type, record_id, timestamp, received_at IS NOT NULL FROM sync_events ORDER BY id
            """), [
            ["inbound", "crm", "created", "contact", "c-1", "2024-05-01 10:00:00+00", "t"],
            ["inbound", "crm", "created", "account", "a-1", "2024-05-01 10:00:00+00", "t"],
            ["inbound", "crm", "created", "opportunity", "o-1", "2024-05-01 10:00:00+00", "t"],
            ["inbound", "crm", "updated", "contact", "c-1", "2024-05-02 10:00:00+00", "t"],
            ["inbound", "crm", "deleted", "opportunity", "o-1", "2024-05-02 10:00:00+00", "t"],
        ])
        XCTAssertEqual(try db.query("SELECT record_key, record_type, record_id, sync_direction, status, last_sync IS NOT NULL FROM sync_status ORDER BY 1"), [
            ["account_a-1", "account", "a-1", "inbound", "synced", "t"],
            ["contact_c-1", "contact", "c-1", "inbound", "synced", "t"],
            ["opportunity_o-1", "opportunity", "o-1", "inbound", "synced", "t"],
        ])
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM sync_conflicts"), "0")
    }

    func testANewerLocalRowIsNotOverwrittenNorDeletedAndEachConflictIsRecorded() throws {
        XCTAssertEqual(try runCRM([crmEvent("created", "contact", "c-1", "2024-05-01T10:00:00Z", ["firstName": "Ada"]),
                                   crmEvent("created", "account", "a-1", "2024-05-01T10:00:00Z", ["name": "Acme"])]).exitCode, 0)
        // Local edits after the CRM's events.
        try db.query("UPDATE contacts SET first_name = 'Local', updated_at = '2024-05-03T00:00:00Z'")
        try db.query("UPDATE accounts SET company_name = 'Acme Local', updated_at = '2024-05-03T00:00:00Z'")

        let r = try runCRM([
            crmEvent("updated", "contact", "c-1", "2024-05-02T10:00:00Z", ["firstName": "Remote", "email": "r@example.com"]),
            crmEvent("deleted", "account", "a-1", "2024-05-02T11:00:00Z"),
        ])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try db.query("SELECT first_name, email, updated_at FROM contacts"), [["Local", "", "2024-05-03 00:00:00+00"]],
                       "the older CRM update leaves the newer local row as it was")
        XCTAssertEqual(try db.query("SELECT company_name, deleted_at IS NULL FROM accounts"), [["Acme Local", "t"]],
                       "the older CRM delete leaves the newer local row undeleted")
        XCTAssertEqual(try db.query("""
            SELECT record_type, record_id, source, event, status, local_data->>'first_name', local_data->>'company_name',
                   remote_data->>'firstName', local_timestamp, remote_timestamp, created_at IS NOT NULL
            FROM sync_conflicts ORDER BY id
            """), [
            ["contact", "c-1", "crm", "updated", "pending", "Local", "", "Remote", "2024-05-03 00:00:00+00", "2024-05-02 10:00:00+00", "t"],
            ["account", "a-1", "crm", "deleted", "pending", "", "Acme Local", "", "2024-05-03 00:00:00+00", "2024-05-02 11:00:00+00", "t"],
        ])
        XCTAssertEqual(try db.query("SELECT record_key, status FROM sync_status ORDER BY 1"), [["account_a-1", "conflict"], ["contact_c-1", "conflict"]])
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM sync_events"), "4", "conflicting events are logged too")

        // A newer CRM event wins again.
        XCTAssertEqual(try runCRM([crmEvent("updated", "contact", "c-1", "2024-05-04T10:00:00Z", ["firstName": "Remote"])]).exitCode, 0)
        XCTAssertEqual(try db.scalar("SELECT first_name FROM contacts"), "Remote")
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM sync_conflicts"), "2")
    }

    // MARK: ERP webhook

    private func runERP(_ events: [[String: Any]], _ mail: SMTPPeer) throws -> CommandResult {
        try WebhookPipelineRun("erp-webhook", events: events).run([
            "DATABASE_URL": db.url, "ERP_WEBHOOK_KEY": "k-8f2c1d", "SMTP_URL": "smtp://127.0.0.1:\(mail.port)",
            "SALES_EMAIL": "sales@shop.example", "PURCHASING_EMAIL": "buyers@shop.example",
        ])
    }

    func testERPOrdersShipmentsAndStockAreStoredAndTheRightPeopleMailed() throws {
        let mail = try mailServer()
        for file in ["shipments.sql", "erp.sql"] {
            try db.query(try String(contentsOfFile: TestEnvironment.repoRoot + "/sql/\(file)", encoding: .utf8))
        }
        try db.query("""
            INSERT INTO customers (id, name, email) VALUES (7, 'Bob', 'bob@example.com');
            INSERT INTO products (sku, name, reorder_point, reorder_quantity) VALUES ('SKU-1', 'Widget', 10, 50), ('SKU-2', 'Gadget', 3, 5);
            """)
        let order: [String: Any] = ["eventType": "created", "entity": "salesOrder", "entityId": "SO-1", "payload": [
            "orderNumber": "1001", "customerId": 7, "orderDate": "2024-05-01", "status": "open", "subtotal": 90, "taxAmount": 9,
            "shippingAmount": 1, "total": 100, "currency": "EUR",
            "lineItems": [["sku": "SKU-1", "description": "Widget", "quantity": 2, "unitPrice": 45, "discount": 0, "lineTotal": 90],
                          ["sku": "SKU-2", "quantity": 1, "unitPrice": 0, "lineTotal": 0]]]]
        let first = try runERP([
            order,
            ["eventType": "updated", "entity": "inventory", "entityId": "SKU-1", "payload": [
                "warehouse": "MAIN", "qtyOnHand": 12, "qtyAvailable": 5, "qtyReserved": 7, "qtyOnOrder": 0, "binLocation": "A1", "lastCountDate": "2024-04-30"]],
            ["eventType": "updated", "entity": "inventory", "entityId": "SKU-2", "payload": ["warehouse": "MAIN", "qtyOnHand": 9, "qtyAvailable": 9]],
            ["eventType": "created", "entity": "invoice", "entityId": "INV-1", "payload": ["total": 5]],
        ], mail)
        XCTAssertEqual(first.exitCode, 0, first.output)
        XCTAssertEqual(try db.query("SELECT erp_order_id, order_number, customer_id, order_date, status, subtotal, tax, shipping, total, currency FROM orders"),
                       [["SO-1", "1001", "7", "2024-05-01", "open", "90", "9", "1", "100", "EUR"]])
        XCTAssertEqual(try db.query("SELECT erp_order_id, line_number, sku, quantity, unit_price, total FROM order_lines ORDER BY line_number"),
                       [["SO-1", "1", "SKU-1", "2", "45", "90"], ["SO-1", "2", "SKU-2", "1", "0", "0"]])
        XCTAssertEqual(try db.query("SELECT sku, warehouse, quantity_on_hand, quantity_available, quantity_reserved, bin_location, last_count_date FROM warehouse_stock ORDER BY sku"),
                       [["SKU-1", "MAIN", "12", "5", "7", "A1", "2024-04-30"], ["SKU-2", "MAIN", "9", "9", "", "", ""]])
        XCTAssertEqual(try db.query("SELECT sku, warehouse, product_name, current_qty, reorder_point, reorder_qty FROM stock_alerts"),
                       [["SKU-1", "MAIN", "Widget", "5", "10", "50"]], "only the SKU below its reorder point")
        XCTAssertEqual(try db.query("SELECT event, record_type, record_id FROM sync_events ORDER BY id"),
                       [["created", "salesOrder", "SO-1"], ["updated", "inventory", "SKU-1"], ["updated", "inventory", "SKU-2"], ["created", "invoice", "INV-1"]],
                       "one row per event, however many lines; the unhandled invoice is kept too")
        XCTAssertTrue(first.stdout.contains("INV-1"), "the unhandled event is logged: \(first.output)")
        XCTAssertEqual(Self.subjects(mail), ["New Order: 1001", "Low Stock Alert: SKU-1"], first.stderr)
        XCTAssertEqual(Self.recipients(mail), ["sales@shop.example", "buyers@shop.example"])

        // A status change mails the customer once; the shipment is new (mailed) and then delivered.
        let second = try runERP([
            ["eventType": "updated", "entity": "salesOrder", "entityId": "SO-1", "payload": ["status": "Shipped"]],
            ["eventType": "updated", "entity": "salesOrder", "entityId": "SO-1", "payload": ["status": "shipped", "total": 101]],
            ["eventType": "created", "entity": "shipment", "entityId": "SH-1", "payload": [
                "orderId": "SO-1", "carrier": "UPS", "trackingNumber": "1Z9", "shipDate": "2024-05-02", "estimatedDelivery": "2024-05-04", "status": "in_transit"]],
        ], mail)
        XCTAssertEqual(second.exitCode, 0, second.output)
        let third = try runERP([["eventType": "updated", "entity": "shipment", "entityId": "SH-1", "payload": ["orderId": "SO-1", "status": "delivered"]]], mail)
        XCTAssertEqual(third.exitCode, 0, third.output)
        XCTAssertEqual(try db.query("SELECT status, total, delivered_at IS NOT NULL FROM orders"), [["delivered", "101", "t"]])
        XCTAssertEqual(try db.query("SELECT erp_shipment_id, order_id, carrier, tracking_number, tracking_url, status FROM shipments"),
                       [["SH-1", "SO-1", "UPS", "1Z9", "https://track.carrier.com/1Z9", "delivered"]])
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM order_lines"), "2", "updates without lineItems leave the lines")
        XCTAssertEqual(Self.subjects(mail), ["New Order: 1001", "Low Stock Alert: SKU-1", "Order Update: 1001", "Your order has shipped!"])
        XCTAssertEqual(Array(Self.recipients(mail).suffix(2)), ["bob@example.com", "bob@example.com"])
        let update = mail.messages()[2]["data"] as? String ?? ""
        XCTAssertTrue(update.contains("is now: shipped"), update)
    }

    // MARK: inventory adjustments

    private func movement(_ type: String, _ quantity: Int, sku: String = "SKU-1", source: String = "pos") -> [String: Any] {
        ["source": source, "sku": sku, "warehouse": "MAIN", "type": type, "quantity": quantity, "reason": "test", "reference": "R-\(type)-\(quantity)"]
    }

    private func inventoryEnvironment(_ slack: HTTPPeer) -> [String: String] {
        ["DATABASE_URL": db.url, "INVENTORY_WEBHOOK_SECRET": "inv-secret", "SLACK_WEBHOOK_URL": slack.url + "/slack"]
    }

    func testMovementsChangeStockANegativeResultIsRefusedAndAlertsArePerMovement() throws {
        let slack = try slack()
        try db.query(try String(contentsOfFile: TestEnvironment.repoRoot + "/sql/erp.sql", encoding: .utf8))
        try db.query("INSERT INTO products (sku, name, reorder_point) VALUES ('SKU-1', 'Widget', 5)")
        let run = try WebhookPipelineRun("inventory-adjustments", events: [
            movement("receipt", 10, source: "erp"),      // 0 → 10
            movement("shipment", 3),                     // 10 → 7
            movement("shipment", 30),                    // refused: -23
            movement("transfer_out", 2, source: "wms"),  // 7 → 5: crosses the reorder point
            movement("transfer_in", 4, source: "wms"),   // 5 → 9
            movement("count", 0, source: "wms"),         // 9 → 0: crosses it again, and out of stock
            movement("adjustment", 6, source: "ecommerce"), // 0 → 6
        ])
        let r = try run.run(inventoryEnvironment(slack))
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stderr.contains("Inventory cannot be negative"), r.stderr)
        XCTAssertEqual(try db.query("SELECT sku, warehouse, quantity_on_hand, last_adjustment_type, last_adjustment_source FROM warehouse_stock"),
                       [["SKU-1", "MAIN", "6", "adjustment", "ecommerce"]])
        XCTAssertEqual(try db.query("""
            SELECT adjustment_type, quantity_before, quantity_change, quantity_after, reason, reference, source
            FROM inventory_transactions ORDER BY id
            """), [
            ["receipt", "0", "10", "10", "test", "R-receipt-10", "erp"],
            ["shipment", "10", "-3", "7", "test", "R-shipment-3", "pos"],
            ["transfer_out", "7", "-2", "5", "test", "R-transfer_out-2", "wms"],
            ["transfer_in", "5", "4", "9", "test", "R-transfer_in-4", "wms"],
            ["count", "9", "-9", "0", "test", "R-count-0", "wms"],
            ["adjustment", "0", "6", "6", "test", "R-adjustment-6", "ecommerce"],
        ], "the refused shipment wrote nothing")
        let texts = slack.bodies(path: "/slack").map { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["text"] as? String ?? "" }
        XCTAssertEqual(texts.count, 3, "\(texts)")
        XCTAssertEqual(texts.filter { $0.contains("Low Stock") }.count, 2, "\(texts)")
        XCTAssertEqual(texts.filter { $0.contains("Out of Stock") }.count, 1, "\(texts)")
        XCTAssertTrue(texts.contains { $0.contains("Low Stock") && $0.contains("Current Qty: 5") && $0.contains("Reorder Point: 5") }, "\(texts)")
    }

    func testParallelMovementsForOneSKUAreEachAppliedToTheValueTheLastOneCommitted() throws {
        let slack = try slack()
        try db.query(try String(contentsOfFile: TestEnvironment.repoRoot + "/sql/warehouse-stock.sql", encoding: .utf8))
        try db.query("INSERT INTO warehouse_stock (sku, warehouse, quantity_on_hand) VALUES ('SKU-1', 'MAIN', 1000)")
        // Four writers, each event in its own transaction, interleaving on one row.
        let writers = try (0..<4).map { w in
            try WebhookPipelineRun("inventory-adjustments", events: (0..<25).map { i in
                i % 2 == 0 ? movement("receipt", w + 1) : movement("shipment", 1)
            }, name: "inventory-adjustments-\(w)", oneEventPerTransaction: true)
        }
        let running = try writers.map { try $0.start(inventoryEnvironment(slack)) }
        for r in running {
            let result = try r.wait(timeout: 120)
            XCTAssertEqual(result.exitCode, 0, result.output)
        }
        // Each writer: 13 receipts of (w + 1), 12 shipments of 1.
        let expected = 1000 + (0..<4).map { 13 * ($0 + 1) - 12 }.reduce(0, +)
        XCTAssertEqual(try db.scalar("SELECT quantity_on_hand FROM warehouse_stock"), "\(expected)")
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM inventory_transactions"), "100")
        XCTAssertEqual(try db.scalar("SELECT sum(quantity_change) FROM inventory_transactions"), "\(expected - 1000)")
        // Serialised on the row lock (the log row is written while it is held): in id order each
        // movement starts where the previous one ended — none read a value another was changing.
        XCTAssertEqual(try db.scalar("""
            SELECT count(*) FROM (SELECT quantity_before, lag(quantity_after) OVER (ORDER BY id) AS previous
                                  FROM inventory_transactions) chain
            WHERE previous IS NOT NULL AND previous <> quantity_before
            """), "0")
        XCTAssertEqual(try db.scalar("SELECT quantity_before FROM inventory_transactions ORDER BY id LIMIT 1"), "1000")
    }
}
