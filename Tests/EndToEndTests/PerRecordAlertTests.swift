import Foundation
import XCTest

/// Notifiers used per record (`sinks: - type: slack | pagerduty`): a message per matching
/// record after the data commits, `max_per_run`, and `dedupe` remembered in the database
/// across runs; a failed run alerts no one. Real PostgreSQL, loopback Slack and PagerDuty.
final class PerRecordAlertTests: XCTestCase {
    var db: TestDatabase!
    var peer: HTTPPeer!
    var dir: String!

    override func setUpWithError() throws {
        db = try TestDatabase()
        peer = try HTTPPeer(routes: ["/slack": [["status": 200, "body": "ok"]],
                                    "/v2/enqueue": [["status": 202, "body": "{\"status\": \"success\"}"]],
                                    "/hook": [["status": 204]]])
        dir = TestEnvironment.temporaryDirectory()
        try db.query("CREATE TABLE stock (sku TEXT PRIMARY KEY, qty INT NOT NULL)")
        try """
        name: low-stock-alerts
        database: ${DATABASE_URL}
        source: {type: file, path: stock.ndjson, format: ndjson}
        sinks:
          - {type: postgres, database: "${DATABASE_URL}", table: stock, mode: upsert, key: [sku], columns: {sku: sku, qty: qty}}
          - type: slack
            webhook_url: ${SLACK_WEBHOOK_URL}
            channel: "#ops-inventory"
            when: qty < 10
            message: "Low stock: {{ sku }} has {{ qty }} left"
            max_per_run: 2
            dedupe: {key: "{{ sku }}", window: 1h}
          - type: pagerduty
            routing_key: ${PAGERDUTY_ROUTING_KEY}
            url: ${PAGERDUTY_URL}
            when: qty == 0
            severity: warning
            dedup_key: "out-of-stock/{{ sku }}"
            title: "Out of stock"
            message: "{{ sku }} is sold out"
          - type: webhook
            url: ${ALERT_HOOK_URL}
            when: qty == 0
            message: "{{ sku }} is sold out"
        """.write(toFile: dir + "/alerts.yaml", atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        peer?.stop()
        db?.drop()
    }

    func run(_ lines: [String], _ extra: [String] = []) throws -> CommandResult {
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/stock.ndjson", atomically: true, encoding: .utf8)
        return try Command.run(TestEnvironment.etlBinary, ["run", dir + "/alerts.yaml"] + extra,
                               environment: ["DATABASE_URL": db.url, "SLACK_WEBHOOK_URL": peer.url + "/slack",
                                             "PAGERDUTY_ROUTING_KEY": "pd-routing-4242", "PAGERDUTY_URL": peer.url + "/v2/enqueue",
                                             "ALERT_HOOK_URL": peer.url + "/hook"],
                               timeout: 60)
    }

    func slackTexts() -> [String] {
        peer.bodies(path: "/slack").compactMap { body in
            (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["text"] as? String
        }
    }

    func testAlertsPerRecordWithWhenMaxPerRunAndDedupeAcrossRuns() throws {
        let stock = [#"{"sku": "A", "qty": 0}"#, #"{"sku": "B", "qty": 5}"#, #"{"sku": "C", "qty": 50}"#, #"{"sku": "D", "qty": 3}"#]
        let first = try run(stock)
        XCTAssertEqual(first.exitCode, 0, first.output)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM stock"), "4")
        // A, B and D are low; max_per_run lets two through, in record order.
        XCTAssertEqual(slackTexts(), ["Low stock: A has 0 left", "Low stock: B has 5 left"])
        XCTAssertTrue(first.output.contains("max_per_run is 2"), first.output)
        XCTAssertEqual(try db.query("SELECT pipeline, alert, key FROM etl_alerts_sent ORDER BY key"),
                       [["low-stock-alerts", "slack", "A"], ["low-stock-alerts", "slack", "B"]])
        // PagerDuty: one Events API v2 trigger for the sold-out SKU.
        let pages = peer.bodies(path: "/v2/enqueue").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(pages.count, 1)
        XCTAssertEqual(pages.first?["routing_key"] as? String, "pd-routing-4242")
        XCTAssertEqual(pages.first?["event_action"] as? String, "trigger")
        XCTAssertEqual(pages.first?["dedup_key"] as? String, "out-of-stock/A")
        let payload = pages.first?["payload"] as? [String: Any] ?? [:]
        XCTAssertEqual(payload["summary"] as? String, "Out of stock: A is sold out")
        XCTAssertEqual(payload["severity"] as? String, "warning")
        XCTAssertEqual(payload["source"] as? String, "low-stock-alerts")
        XCTAssertEqual((payload["custom_details"] as? [String: Any])?["sku"] as? String, "A")
        XCTAssertFalse(first.output.contains("pd-routing-4242"), first.output)
        // The webhook sink posts the record's fields with the rendered message.
        let hook = peer.bodies(path: "/hook").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(hook.count, 1)
        XCTAssertEqual(hook.first?["sku"] as? String, "A")
        XCTAssertEqual(hook.first?["qty"] as? Int, 0)
        XCTAssertEqual(hook.first?["text"] as? String, "A is sold out")
        XCTAssertEqual(hook.first?["pipeline"] as? String, "low-stock-alerts")

        // The same stock an hour later is "within the window": A and B are not sent again, D now is.
        let second = try run(stock)
        XCTAssertEqual(second.exitCode, 0, second.output)
        XCTAssertEqual(slackTexts().count, 3)
        XCTAssertEqual(slackTexts().last, "Low stock: D has 3 left")

        // Past the window, A is alerted again.
        try db.query("UPDATE etl_alerts_sent SET sent_at = now() - interval '2 hours' WHERE key = 'A'")
        let third = try run(stock)
        XCTAssertEqual(third.exitCode, 0, third.output)
        XCTAssertEqual(slackTexts().count, 4)
        XCTAssertEqual(slackTexts().last, "Low stock: A has 0 left")

        // A run that fails (rolled back) alerts no one.
        let failed = try run([#"{"sku": "E", "qty": 1}"#, #"{"sku": "F", "qty": "lots"}"#], ["--set", "rejects.max=0"])
        XCTAssertEqual(failed.exitCode, 4, failed.output)
        XCTAssertEqual(slackTexts().count, 4)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM stock WHERE sku = 'E'"), "0")
    }

    /// The alerts wait for the transaction's COMMIT itself: a deferred foreign key that fails
    /// only at COMMIT fails the run, and no one is alerted about rows that never landed.
    func testACommitThatFailsSendsNoAlert() throws {
        try db.query("""
            CREATE TABLE warehouses (id INT PRIMARY KEY);
            ALTER TABLE stock ADD COLUMN warehouse INT REFERENCES warehouses (id) DEFERRABLE INITIALLY DEFERRED;
            """)
        let failed = try run([#"{"sku": "A", "qty": 0, "warehouse": 7}"#],
                             ["--set", "sinks.0.columns={sku: sku, qty: qty, warehouse: warehouse}"])
        XCTAssertEqual(failed.exitCode, 1, failed.output)
        XCTAssertTrue(failed.output.contains("warehouse"), failed.output)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM stock"), "0")
        XCTAssertEqual(peer.requests().count, 0, "\(peer.requests())")
    }

    func testEmailSinkDedupesByKeyAcrossRuns() throws {
        let mail = try SMTPPeer()
        defer { mail.stop() }
        try """
        name: restock-mail
        database: ${DATABASE_URL}
        source: {type: file, path: stock.ndjson, format: ndjson}
        sinks:
          - type: email
            url: ${SMTP_URL}
            from: "etl <etl@example.com>"
            to: buyer@example.com
            when: qty < 10
            subject: "Reorder {{ sku }}"
            body: "{{ sku }}: {{ qty }} left"
            dedupe: {key: "{{ sku }}", window: 1h}
        """.write(toFile: dir + "/mail.yaml", atomically: true, encoding: .utf8)
        try (#"{"sku": "A", "qty": 1}"# + "\n" + #"{"sku": "A", "qty": 2}"# + "\n").write(toFile: dir + "/stock.ndjson", atomically: true, encoding: .utf8)
        for _ in 0..<2 {
            let r = try Command.run(TestEnvironment.etlBinary, ["run", dir + "/mail.yaml"],
                                    environment: ["DATABASE_URL": db.url, "SMTP_URL": "smtp://127.0.0.1:\(mail.port)"], timeout: 60)
            XCTAssertEqual(r.exitCode, 0, r.output)
        }
        // Two matching records in the first run, the same key again in the second: one mail.
        XCTAssertEqual(mail.messages().count, 1)
        XCTAssertTrue((mail.messages().first?["data"] as? String ?? "").contains("Subject: Reorder A"))
        XCTAssertEqual(try db.query("SELECT alert, key FROM etl_alerts_sent"), [["email", "A"]])
    }

    func testDryRunPrintsTheAlertsAndSendsNothing() throws {
        let dry = try run([#"{"sku": "A", "qty": 0}"#], ["--dry-run"])
        XCTAssertEqual(dry.exitCode, 0, dry.output)
        XCTAssertTrue(dry.stdout.contains("slack: would send 1 alerts"), dry.output)
        XCTAssertTrue(dry.stdout.contains("Low stock: A has 0 left"), dry.output)
        XCTAssertEqual(peer.requests().count, 0)
    }
}
