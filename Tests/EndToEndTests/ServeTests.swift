import Foundation
import XCTest
import ETLTestSupport

/// `etl serve` end to end: the built binary on loopback, a real PostgreSQL, a
/// Python sender that signs requests. Every refusal stores nothing; every 2xx
/// is in the inbox; every stored event is processed once.
final class ServeTests: XCTestCase {
    static let secret = "s3cret-orders-hmac-7f2a"
    static let itemsKey = "k3y-items-91bd"
    static let fixtures = TestEnvironment.repoRoot + "/Tests/Fixtures/serve"
    var db: TestDatabase!

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() { db?.drop() }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ["DATABASE_URL": db.url, "ORDERS_HOOK_SECRET": Self.secret, "ITEMS_HOOK_KEY": Self.itemsKey, "ETL_SERVE_BACKOFF": "0.2"]
            .merging(extra) { $1 }
    }

    func order(_ base: String, _ body: String, secret: String = ServeTests.secret, timestamp: Int? = nil,
               headers: [String: String] = [:], method: String = "POST", path: String = "/hooks/orders") -> [String: Any] {
        var h: [String: Any] = ["secret": secret, "header": "X-Signature", "prefix": "sha256=", "timestamp_header": "X-Timestamp"]
        if let timestamp { h["timestamp"] = timestamp }
        return ["url": base + path, "body": body, "hmac": h, "method": method,
                "headers": ["Content-Type": "application/json"].merging(headers) { $1 }]
    }

    func count(_ sql: String) throws -> Int { Int(try db.scalar(sql)) ?? -1 }

    func testAcceptedRequestIsStoredThenProcessedAndCounted() throws {
        let serve = try ServeProcess([Self.fixtures + "/orders-hmac.yaml"], environment: environment())
        let a = try WebhookClient.one(order(serve.url, #"{"kind": "order", "order_id": "A-1", "amount": 12.5}"#))
        XCTAssertEqual(a.status, 202, a.body)
        XCTAssertEqual(a.json["status"] as? String, "accepted")
        let id = try XCTUnwrap(a.json["id"] as? Int)
        try eventually("order A-1 written") { try count("SELECT count(*) FROM hook_orders WHERE order_id = 'A-1' AND amount = 12.5") == 1 }
        try eventually("event done") { try db.scalar("SELECT status FROM etl_inbox WHERE id = \(id)") == "done" }
        XCTAssertEqual(try db.scalar("SELECT received_at IS NOT NULL FROM hook_orders WHERE order_id = 'A-1'"), "t")
        // The verification header is not kept with the event; the others are, lower-cased.
        XCTAssertEqual(try db.scalar("SELECT headers ? 'x-signature' FROM etl_inbox WHERE id = \(id)"), "f")
        XCTAssertEqual(try db.scalar("SELECT headers->>'content-type' FROM etl_inbox WHERE id = \(id)"), "application/json")

        let health = try WebhookClient.one(["url": serve.url + "/healthz", "method": "GET"])
        XCTAssertEqual(health.status, 200)
        let metrics = try WebhookClient.one(["url": serve.url + "/metrics", "method": "GET"])
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.body.contains(#"etl_webhook_requests_total{pipeline="hook-orders",status="202"} 1"#), metrics.body)
        XCTAssertTrue(metrics.body.contains("etl_inbox_batch_processing_seconds"), metrics.body)

        let result = try serve.stop()
        XCTAssertEqual(result.exitCode, 0, result.output)
        XCTAssertFalse(result.output.contains(Self.secret))
        // One ledger row for this serve process, finished with what it processed.
        XCTAssertEqual(try db.scalar("SELECT status || ' ' || records_written FROM sync_jobs WHERE pipeline = 'hook-orders'"), "completed 1")
    }

    func testRefusalsStoreNothing() throws {
        let serve = try ServeProcess([Self.fixtures + "/orders-hmac.yaml"], environment: environment())
        let good = #"{"kind": "order", "order_id": "R-1", "amount": 1}"#
        let answers = try WebhookClient.send([
            order(serve.url, good, secret: "wrong-secret"),                                            // 0 bad signature
            ["url": serve.url + "/hooks/orders", "body": good, "headers": ["X-Timestamp": "\(Int(Date().timeIntervalSince1970))"]], // 1 none
            order(serve.url, good, timestamp: Int(Date().timeIntervalSince1970) - 3600),                // 2 replayed
            order(serve.url, #"{"kind": "invoice", "order_id": "R-2", "amount": 1}"#),                  // 3 accept
            order(serve.url, "{\"kind\": \"order\",\n \"amount\": }"),                                // 4 bad JSON
            order(serve.url, #"{"kind": "order", "pad": ""# + String(repeating: "x", count: 3000) + #""}"#), // 5 too large
            order(serve.url, good, path: "/hooks/nothing"),                                             // 6 unknown path
            order(serve.url, good, method: "PUT"),                                                      // 7 method
        ])
        XCTAssertEqual(answers.map(\.status), [401, 401, 401, 400, 400, 413, 404, 405], answers.map(\.body).joined(separator: "\n"))
        XCTAssertEqual(answers[0].json["error"] as? String, "invalid signature")
        XCTAssertEqual(answers[1].json["error"] as? String, "missing X-Signature header")
        XCTAssertTrue((answers[2].json["error"] as? String ?? "").contains("stale"), answers[2].body)
        XCTAssertEqual(answers[3].json["error"] as? String, "unknown kind: invoice")
        XCTAssertTrue((answers[4].json["error"] as? String ?? "").contains("line 2, column"), answers[4].body)
        XCTAssertEqual(answers[7].headers["Allow"] ?? answers[7].headers["allow"], "POST")
        XCTAssertEqual(try count("SELECT count(*) FROM etl_inbox"), 0)
        let result = try serve.stop()
        XCTAssertEqual(result.exitCode, 0)
        XCTAssertFalse(result.output.contains(Self.secret), "the secret leaked into the log")
    }

    func testDuplicateIsAcknowledgedAndProcessedOnce() throws {
        let serve = try ServeProcess([Self.fixtures + "/orders-hmac.yaml"], environment: environment())
        let body = #"{"kind": "order", "order_id": "D-1", "amount": 7}"#
        let first = try WebhookClient.one(order(serve.url, body))
        let again = try WebhookClient.one(order(serve.url, body))
        XCTAssertEqual(first.status, 202)
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again.json["status"] as? String, "duplicate")
        try eventually("D-1 processed") { try db.scalar("SELECT status FROM etl_inbox") == "done" }
        XCTAssertEqual(try count("SELECT count(*) FROM etl_inbox"), 1)
        XCTAssertEqual(try count("SELECT attempts FROM etl_inbox"), 1)
        _ = try serve.stop()
    }

    func testAPIKeyHeaderIdempotencyAndRecordsPath() throws {
        let serve = try ServeProcess([Self.fixtures + "/items-apikey.yaml"], environment: environment())
        let body = #"{"items": [{"order_id": "I-1", "kind": "order", "amount": 1}, {"order_id": "I-2", "kind": "order", "amount": 2}]}"#
        let url = serve.url + "/hooks/items"
        let answers = try WebhookClient.send([
            ["url": url, "body": body, "headers": ["X-API-Key": "nope", "X-Event-Id": "e1"]],
            ["url": url, "body": body, "headers": ["X-API-Key": Self.itemsKey]],
            ["url": url, "body": body, "headers": ["X-API-Key": Self.itemsKey, "X-Event-Id": "e1"]],
            ["url": url, "body": #"{"items": []}"#, "headers": ["X-API-Key": Self.itemsKey, "X-Event-Id": "e1"], "method": "PUT"],
        ])
        XCTAssertEqual(answers.map(\.status), [401, 400, 202, 200], answers.map(\.body).joined(separator: "\n"))
        try eventually("both items written") { try count("SELECT count(*) FROM hook_orders WHERE order_id IN ('I-1', 'I-2')") == 2 }
        XCTAssertEqual(try count("SELECT count(*) FROM etl_inbox"), 1)
        _ = try serve.stop()
    }

    func testPoisonEventDiesOthersCommitRetryAfterTheFix() throws {
        let alerts = try LoopbackHTTPPeer(routes: ["/alert": [["status": 200]]])
        defer { alerts.stop() }
        let serve = try ServeProcess([Self.fixtures + "/orders-hmac.yaml"], environment: environment(["ALERT_URL": alerts.url + "/alert"]))
        // Amount 5,000,000 breaks the table's CHECK: a failing event, not a rejected record.
        let answers = try WebhookClient.send([
            order(serve.url, #"{"kind": "order", "order_id": "P-1", "amount": 1}"#),
            order(serve.url, #"{"kind": "order", "order_id": "P-2", "amount": 5000000}"#),
            order(serve.url, #"{"kind": "order", "order_id": "P-3", "amount": 3}"#),
            order(serve.url, #"{"kind": "refund", "order_id": "P-4", "amount": -2}"#),
        ], concurrency: 4)
        XCTAssertEqual(answers.map(\.status), [202, 202, 202, 202])
        try eventually("the poison event is dead") { try db.scalar("SELECT status FROM etl_inbox WHERE convert_from(body, 'UTF8') LIKE '%P-2%'") == "dead" }
        XCTAssertEqual(try db.scalar("SELECT attempts FROM etl_inbox WHERE status = 'dead'"), "3")
        XCTAssertTrue(try db.scalar("SELECT last_error FROM etl_inbox WHERE status = 'dead'").contains("check"))
        try eventually("the others are processed") { try count("SELECT count(*) FROM etl_inbox WHERE status IN ('done', 'rejected')") == 3 }
        XCTAssertEqual(try db.query("SELECT order_id FROM hook_orders ORDER BY order_id").map { $0[0] }, ["P-1", "P-3"])
        // A record refused by validation: the event is `rejected`, the record in the rejects sink.
        XCTAssertEqual(try count("SELECT count(*) FROM etl_inbox WHERE status = 'rejected'"), 1)
        // Once, even when it was in the batch that failed and was processed again event by event.
        XCTAssertEqual(try db.query("SELECT order_id FROM hook_rejects").map { $0[0] }, ["P-4"])
        try eventually("the dead letter is alerted") { alerts.bodies(path: "/alert").contains { $0.contains("dead letter") } }

        let pipeline = Self.fixtures + "/orders-hmac.yaml"
        let list = try Command.run(TestEnvironment.etlBinary, ["inbox", "list", pipeline, "--status", "dead"], environment: environment())
        XCTAssertEqual(list.exitCode, 0, list.output)
        let deadID = try db.scalar("SELECT id FROM etl_inbox WHERE status = 'dead'")
        XCTAssertTrue(list.stdout.contains("\(deadID)\tdead\t3"), list.stdout)
        let show = try Command.run(TestEnvironment.etlBinary, ["inbox", "show", pipeline, deadID], environment: environment())
        XCTAssertTrue(show.stdout.contains("5000000"), show.output)
        XCTAssertFalse(show.stdout.contains(Self.secret))

        try db.query("ALTER TABLE hook_orders DROP CONSTRAINT hook_orders_amount_check")
        let retry = try Command.run(TestEnvironment.etlBinary, ["inbox", "retry", pipeline, deadID], environment: environment())
        XCTAssertEqual(retry.exitCode, 0, retry.output)
        try eventually("the retried event is processed") { try db.scalar("SELECT status FROM etl_inbox WHERE id = \(deadID)") == "done" }
        XCTAssertEqual(try count("SELECT count(*) FROM hook_orders WHERE order_id = 'P-2'"), 1)
        let drop = try Command.run(TestEnvironment.etlBinary, ["inbox", "drop", pipeline, "--status", "rejected"], environment: environment())
        XCTAssertEqual(drop.exitCode, 0, drop.output)
        XCTAssertEqual(try count("SELECT count(*) FROM etl_inbox WHERE status = 'rejected'"), 0)
        _ = try serve.stop()
    }

    func testOnCommitAnswersFromTheResponseAndRejectsWriteNothing() throws {
        let serve = try ServeProcess([Self.fixtures + "/stock-commit.yaml"], environment: environment())
        func stock(_ body: String) -> [String: Any] {
            ["url": serve.url + "/hooks/stock", "body": body,
             "hmac": ["secret": Self.secret, "header": "X-Signature", "prefix": "sha256="]]
        }
        let ok = try WebhookClient.one(stock(#"{"sku": "S-1", "qty": 5, "reference": "r1"}"#))
        XCTAssertEqual(ok.status, 200, ok.body)
        XCTAssertEqual(ok.json["status"] as? String, "applied")
        XCTAssertEqual(ok.json["qty"] as? Int, 5)
        XCTAssertEqual(try db.scalar("SELECT qty FROM stock WHERE sku = 'S-1'"), "5")

        let bad = try WebhookClient.one(stock(#"{"sku": "S-1", "qty": -3, "reference": "r2"}"#))
        XCTAssertEqual(bad.status, 400, bad.body)
        XCTAssertEqual(bad.json["attempted_qty"] as? Int, -3)
        XCTAssertTrue((bad.json["error"] as? String ?? "").contains("qty"), bad.body)
        XCTAssertEqual(try db.scalar("SELECT qty FROM stock WHERE sku = 'S-1'"), "5")
        XCTAssertEqual(try db.scalar("SELECT status || ' ' || response_status FROM etl_inbox WHERE idempotency_key = 'r2'"), "rejected 400")
        // A repeat gets the same answer, and changes nothing.
        let repeated = try WebhookClient.one(stock(#"{"sku": "S-1", "qty": -3, "reference": "r2"}"#))
        XCTAssertEqual(repeated.status, 400)
        XCTAssertEqual(repeated.body, bad.body)
        let okAgain = try WebhookClient.one(stock(#"{"sku": "S-1", "qty": 5, "reference": "r1"}"#))
        XCTAssertEqual(okAgain.status, 200)
        XCTAssertEqual(okAgain.body, ok.body)
        XCTAssertEqual(try count("SELECT count(*) FROM etl_inbox"), 2)
        _ = try serve.stop()
    }

    func testWebhookPipelineIsNotRunAndTriggerMistakesAreNamed() throws {
        let run = try Command.run(TestEnvironment.etlBinary, ["run", Self.fixtures + "/orders-hmac.yaml"], environment: environment())
        XCTAssertEqual(run.exitCode, 2)
        XCTAssertTrue(run.output.contains("etl serve"), run.output)

        let dir = TestEnvironment.temporaryDirectory()
        let file = dir + "/bad.yaml"
        try """
            name: bad-hook
            database: postgresql://localhost/x
            trigger:
              type: webhook
              path: /hooks/bad
              verify:
                hmac: {algorithm: md5, header: X-Sig}
              ack: on_commit
              colour: blue
            source: {type: webhook}
            sink: {type: stdout}

            """.write(toFile: file, atomically: true, encoding: .utf8)
        let v = try Command.run(TestEnvironment.etlBinary, ["validate", file])
        XCTAssertEqual(v.exitCode, 2, v.output)
        XCTAssertTrue(v.output.contains("\(file):7:23"), v.output)             // md5
        XCTAssertTrue(v.output.contains("missing required option 'secret'"), v.output)
        XCTAssertTrue(v.output.contains("`ack: on_commit` needs `response:`"), v.output)
        XCTAssertTrue(v.output.contains("\(file):9:3"), v.output)              // colour
        XCTAssertTrue(v.output.contains("unknown option 'colour'"), v.output)

        let other = dir + "/other.yaml"
        try """
            name: other-hook
            database: postgresql://localhost/x
            trigger:
              type: webhook
              path: hooks/other
              verify:
                none: true
              response:
                ok: {status: 200}
                rejected: {status: 400}
            source: {type: file, path: x.json}
            sink: {type: stdout}

            """.write(toFile: other, atomically: true, encoding: .utf8)
        let o = try Command.run(TestEnvironment.etlBinary, ["validate", other])
        XCTAssertEqual(o.exitCode, 2, o.output)
        XCTAssertTrue(o.output.contains("\(other):3:1: error: `trigger:` feeds a webhook source, but the source is 'file'"), o.output)
        XCTAssertTrue(o.output.contains("\(other):5:9: error: trigger.path must start with '/'"), o.output)
        XCTAssertTrue(o.output.contains("\(other):7:5: warning: trigger.verify is `none`"), o.output)
        XCTAssertTrue(o.output.contains("\(other):9:5: error: `response:` is only used with `ack: on_commit`"), o.output)
    }

    /// docs/webhooks.md "Ordering": a worker claims in id order and a batch reaches the sinks in
    /// that order, so of 30 stored events about one record the last one received wins, however
    /// the backlog is cut into batches.
    func testOneWorkerAppliesEventsAboutTheSameRecordInArrivalOrder() throws {
        let pipeline = Self.fixtures + "/items-apikey.yaml"
        // A first start creates the inbox; the backlog is then stored as if received during an outage.
        XCTAssertEqual(try ServeProcess([pipeline], environment: environment()).stop().exitCode, 0)
        try db.query("""
            INSERT INTO etl_inbox (pipeline, idempotency_key, body)
            SELECT 'hook-items', 'k' || i, convert_to('{"items": [{"order_id": "O-1", "kind": "order", "amount": ' || i || '}]}', 'UTF8')
            FROM generate_series(1, 30) i ORDER BY i
            """)
        let serve = try ServeProcess([pipeline], environment: environment(["ETL_SERVE_BATCH": "7"]), workers: 1)
        try eventually("the backlog processed") { try count("SELECT count(*) FROM etl_inbox WHERE status = 'done'") == 30 }
        XCTAssertEqual(try db.scalar("SELECT amount FROM hook_orders WHERE order_id = 'O-1'"), "30")
        _ = try serve.stop()
    }
}
