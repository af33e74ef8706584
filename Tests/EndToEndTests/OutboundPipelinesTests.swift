import Foundation
import XCTest

/// The shipped outbound pipelines, run as cron would: real PostgreSQL, loopback
/// APIs that record what they receive.
final class OutboundPipelinesTests: XCTestCase {
    var db: TestDatabase!
    var peers: [HTTPPeer] = []

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() {
        peers.forEach { $0.stop() }
        db?.drop()
    }

    private func peer(_ routes: [String: [[String: Any]]]) throws -> HTTPPeer {
        let p = try HTTPPeer(routes: routes)
        peers.append(p)
        return p
    }

    /// Short retry waits, as an operator would set them for a test (`--set transforms.N.retry.backoff`).
    private func run(_ pipeline: String, _ env: [String: String]) throws -> CommandResult {
        var environment = ["DATABASE_URL": db.url]
        for (k, v) in env { environment[k] = v }
        let stages = pipeline == "crm-outbound" ? [0] : [0, 1, 2, 3, 4]
        let fast = stages.flatMap { ["--set", "transforms.\($0).retry.backoff=[0.05s, 0.05s]"] }
        return try Command.run(TestEnvironment.etlBinary, ["run", TestEnvironment.repoRoot + "/pipelines/\(pipeline).yaml"] + fast,
                               environment: environment, timeout: 60)
    }

    private func setup(_ files: [String]) throws {
        for file in files {
            try db.query(try String(contentsOfFile: TestEnvironment.repoRoot + "/sql/\(file)", encoding: .utf8))
        }
    }

    private static func json(_ text: String?) -> [String: Any] {
        guard let data = text?.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }

    // MARK: CRM outbound

    func testLocalContactsArePostedOrPutTheCRMIdIsWrittenBackAndASecondRunSendsNothing() throws {
        try setup(["crm.sql", "sync-events.sql"])
        try db.query("""
            INSERT INTO contacts (first_name, last_name, email, phone, title, source, updated_at)
              VALUES ('Ada', 'Lovelace', 'ada@example.com', '+44 1', 'Engineer', 'web', now() - interval '1 minute');
            INSERT INTO contacts (external_id, external_source, first_name, email, updated_at, synced_at)
              VALUES ('crm-9', 'crm', 'Grace', 'grace@example.com', now(), now() - interval '1 hour');
            INSERT INTO contacts (external_id, external_source, first_name, email, updated_at, synced_at)
              VALUES ('crm-7', 'crm', 'Alan', 'alan@example.com', now() - interval '1 hour', now());
            """)
        let before = try db.scalar("SELECT updated_at::text FROM contacts WHERE email = 'ada@example.com'")
        let crm = try peer(["/api/contacts": [["status": 201, "body": #"{"id": "crm-10{seq}"}"#]],
                            "/api/contacts/crm-9": [["status": 200, "body": #"{"id": "crm-9"}"#]]])
        let env = ["CRM_URL": crm.url, "CRM_API_KEY": "crm-key-123"]
        let r = try run("crm-outbound", env)
        XCTAssertEqual(r.exitCode, 0, r.output)

        let posts = crm.requests(path: "/api/contacts")
        XCTAssertEqual(posts.count, 1)
        XCTAssertEqual(posts.first?["method"] as? String, "POST")
        let body = Self.json(posts.first?["body"] as? String)
        XCTAssertEqual(body["firstName"] as? String, "Ada")
        XCTAssertEqual(body["lastName"] as? String, "Lovelace")
        XCTAssertEqual(body["leadSource"] as? String, "web")
        XCTAssertEqual(body["title"] as? String, "Engineer")
        let headers = posts.first?["headers"] as? [String: String] ?? [:]
        XCTAssertEqual(headers["Authorization"] ?? headers["authorization"], "Bearer crm-key-123")
        XCTAssertNotNil(headers["Idempotency-Key"] ?? headers["idempotency-key"])
        XCTAssertEqual(crm.requests(path: "/api/contacts/crm-9").map { $0["method"] as? String }, ["PUT"])
        XCTAssertEqual(crm.requests(path: "/api/contacts/crm-7").count, 0, "a change that came from the CRM is not sent back")

        XCTAssertEqual(try db.query("SELECT external_id, external_source, synced_at IS NOT NULL FROM contacts WHERE email = 'ada@example.com'"),
                       [["crm-101", "crm", "t"]])
        XCTAssertEqual(try db.scalar("SELECT updated_at::text FROM contacts WHERE email = 'ada@example.com'"), before,
                       "the write-back does not make the row look locally changed")
        XCTAssertEqual(try db.query("SELECT direction, destination, event, record_type, external_id, response_status FROM sync_events ORDER BY event"),
                       [["outbound", "crm", "create", "contact", "crm-101", "201"], ["outbound", "crm", "update", "contact", "crm-9", "200"]])

        let again = try run("crm-outbound", env)
        XCTAssertEqual(again.exitCode, 0, again.output)
        XCTAssertEqual(crm.requests().count, 2, "no local change: nothing sent")

        try db.query("UPDATE contacts SET title = 'Countess', updated_at = now() WHERE email = 'ada@example.com'")
        XCTAssertEqual(try run("crm-outbound", env).exitCode, 0)
        XCTAssertEqual(crm.requests(path: "/api/contacts/crm-101").map { $0["method"] as? String }, ["PUT"], "a local edit is PUT to the known id")
    }

    func testARefusedContactIsARejectStaysUnsyncedAndIsSentAgainNextRun() throws {
        try setup(["crm.sql", "sync-events.sql"])
        try db.query("INSERT INTO contacts (first_name, email, updated_at) VALUES ('Bob', 'bob@example.com', now())")
        let crm = try peer(["/api/contacts": [["status": 409, "body": #"{"error": "duplicate email"}"#],
                                              ["status": 201, "body": #"{"id": "crm-55"}"#]]])
        let env = ["CRM_URL": crm.url, "CRM_API_KEY": "crm-key-123"]
        let first = try run("crm-outbound", env)
        XCTAssertEqual(first.exitCode, 0, first.output)
        XCTAssertTrue(first.stderr.contains("HTTP 409"), first.stderr)
        XCTAssertEqual(try db.scalar("SELECT coalesce(external_id, '') FROM contacts"), "")
        XCTAssertEqual(try db.query("SELECT status, contacts_sent, contacts_failed FROM crm_outbound_jobs"), [["completed", "0", "1"]])
        XCTAssertEqual(try run("crm-outbound", env).exitCode, 0)
        XCTAssertEqual(try db.scalar("SELECT external_id FROM contacts"), "crm-55", "sent again and stored")
        let keys = crm.requests(path: "/api/contacts").compactMap { ($0["headers"] as? [String: String])?["Idempotency-Key"] }
        XCTAssertEqual(Set(keys).count, 1, "the same contact unchanged keeps its idempotency key: \(keys)")
    }

    func testAKilledPushResendsAtMostTheBatchInFlightWithTheSameKeys() throws {
        try setup(["crm.sql", "sync-events.sql"])
        try db.query("""
            INSERT INTO contacts (first_name, email, updated_at)
            SELECT 'c' || i, 'c' || i || '@example.com', now() - (20 - i) * interval '1 second' FROM generate_series(1, 12) i
            """)
        // Slow answers and batches of 3 sent one at a time: the kill lands between commits.
        let crm = try peer(["/api/contacts": [["status": 201, "body": #"{"id": "crm-{seq}"}"#, "delay": 0.3]]])
        var environment = ["DATABASE_URL": db.url, "CRM_URL": crm.url, "CRM_API_KEY": "crm-key-123"]
        let arguments = ["run", TestEnvironment.repoRoot + "/pipelines/crm-outbound.yaml",
                         "--set", "batch_size=3", "--set", "transforms.0.max_in_flight=1"]
        let running = try Command.start(TestEnvironment.etlBinary, arguments, environment: environment)
        var waited = 0
        while Int((try? db.scalar("SELECT count(*) FROM sync_events")) ?? "0") ?? 0 < 6 && waited < 200 { usleep(50_000); waited += 1 }
        running.signal(SIGKILL)
        _ = try running.wait(timeout: 30)
        let committed = Int(try db.scalar("SELECT count(*) FROM contacts WHERE external_id IS NOT NULL"))!
        XCTAssertGreaterThanOrEqual(committed, 6)
        XCTAssertLessThan(committed, 12, "killed mid-run")
        let sentBeforeKill = crm.requests().count

        environment["CRM_URL"] = crm.url
        let rerun = try Command.run(TestEnvironment.etlBinary, arguments, environment: environment, timeout: 60)
        XCTAssertEqual(rerun.exitCode, 0, rerun.output)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM contacts WHERE external_id IS NULL"), "0", "every contact ends up sent")
        let requests = crm.requests()
        XCTAssertLessThanOrEqual(requests.count, 12 + 3, "at most the batch in flight is sent twice")
        XCTAssertEqual(requests.count - sentBeforeKill, 12 - committed, "the rerun sends only what had not committed")
        // A contact sent twice (in flight at the kill) carries the same key both times.
        var keysByEmail: [String: Set<String>] = [:]
        for request in requests {
            let email = Self.json(request["body"] as? String)["email"] as? String ?? ""
            let key = (request["headers"] as? [String: String])?["Idempotency-Key"] ?? ""
            keysByEmail[email, default: []].insert(key)
        }
        XCTAssertTrue(keysByEmail.values.allSatisfy { $0.count == 1 }, "\(keysByEmail)")
    }

    // MARK: inventory fan-out

    func testAStockChangeGoesToEverySystemButItsOwnAndADownSystemIsRetriedNextRun() throws {
        try setup(["inventory-transactions.sql"])
        try db.query("""
            INSERT INTO inventory_transactions (sku, warehouse, adjustment_type, quantity_before, quantity_change, quantity_after, source)
              VALUES ('SKU-1', 'WH-A', 'shipment', 10, -3, 7, 'erp'),
                     ('SKU-2', 'WH-B', 'count', 4, -4, 0, 'pos');
            """)
        let erp = try peer(["/api/inventory/SKU-2": [["status": 200, "body": "{}"]]])
        let shop = try peer(["/products/SKU-1/inventory": [["status": 200, "body": "{}"]],
                             "/products/SKU-2/inventory": [["status": 200, "body": "{}"]],
                             "/products/SKU-2": [["status": 200, "body": "{}"]]])
        let pos = try peer(["/inventory/update": [["status": 200, "body": "{}"]]])
        let wms = try peer(["/api/inventory": [["status": 503, "body": "down"]]])
        let env = ["ERP_URL": erp.url, "ERP_API_KEY": "erp-k", "SHOP_URL": shop.url, "SHOP_API_KEY": "shop-k",
                   "POS_URL": pos.url, "POS_API_KEY": "pos-k", "WMS_URL": wms.url, "WMS_API_KEY": "wms-k"]
        let r = try run("inventory-fanout", env)
        XCTAssertEqual(r.exitCode, 0, r.output)

        // SKU-1 came from the ERP: not sent back there.
        XCTAssertEqual(erp.requests().map { $0["path"] as? String }, ["/api/inventory/SKU-2"])
        XCTAssertEqual(Self.json(erp.requests().first?["body"] as? String) as NSDictionary,
                       ["sku": "SKU-2", "warehouseCode": "WH-B", "qtyOnHand": 0] as NSDictionary)
        XCTAssertEqual(Self.json(shop.requests(path: "/products/SKU-1/inventory").first?["body"] as? String) as NSDictionary,
                       ["inventory_quantity": 7] as NSDictionary)
        XCTAssertEqual(Self.json(shop.requests(path: "/products/SKU-2").first?["body"] as? String) as NSDictionary,
                       ["available": false, "inventory_policy": "deny"] as NSDictionary, "at 0 the product goes off sale")
        // SKU-2 came from the POS: only SKU-1 goes there, with its API key header.
        XCTAssertEqual(pos.requests().count, 1)
        XCTAssertEqual(Self.json(pos.requests().first?["body"] as? String) as NSDictionary,
                       ["item_id": "SKU-1", "quantity": 7, "location_id": "WH-A"] as NSDictionary)
        XCTAssertEqual((pos.requests().first?["headers"] as? [String: String])?["X-API-Key"], "pos-k")
        XCTAssertFalse(wms.requests().isEmpty)

        XCTAssertEqual(try db.query("SELECT system, sku, action FROM inventory_sync_log ORDER BY sku, system, action"),
                       [["ecommerce", "SKU-1", "quantity"], ["pos", "SKU-1", "quantity"],
                        ["ecommerce", "SKU-2", "disable"], ["ecommerce", "SKU-2", "quantity"], ["erp", "SKU-2", "quantity"]],
                       "the WMS was down: no delivery logged for it")
        XCTAssertEqual(try db.query("SELECT deliveries, failed FROM inventory_fanout_jobs"), [["5", "2"]])

        // The WMS is back: the next run delivers only what it missed.
        wms.stop()
        let wms2 = try peer(["/api/inventory": [["status": 200, "body": "{}"]]])
        var envBack = env; envBack["WMS_URL"] = wms2.url
        XCTAssertEqual(try run("inventory-fanout", envBack).exitCode, 0)
        XCTAssertEqual(wms2.requests().compactMap { Self.json($0["body"] as? String)["sku"] as? String }.sorted(), ["SKU-1", "SKU-2"])
        XCTAssertEqual(erp.requests().count, 1, "nothing re-sent to systems that had it")
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM inventory_sync_log WHERE system = 'wms'"), "2")
    }
}
