import Foundation
import XCTest

/// The shipped CRM, shipments and bulk-sync pipelines, run as cron would against
/// a real PostgreSQL, HTTP peers for the APIs and Slack, and an SMTP peer.
final class SyncPipelinesTests: XCTestCase {
    var db: TestDatabase!
    var peers: [HTTPPeer] = []
    var smtp: SMTPPeer?

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() {
        peers.forEach { $0.stop() }
        smtp?.stop()
        db?.drop()
    }

    func peer(_ routes: [String: [[String: Any]]]) throws -> HTTPPeer {
        let p = try HTTPPeer(routes: routes)
        peers.append(p)
        return p
    }

    func run(_ pipeline: String, _ env: [String: String], _ extra: [String] = []) throws -> CommandResult {
        var environment = ["DATABASE_URL": db.url]
        for (k, v) in env { environment[k] = v }
        return try Command.run(TestEnvironment.etlBinary,
                               ["run", TestEnvironment.repoRoot + "/pipelines/\(pipeline).yaml",
                                "--set", "source.retry.backoff=[0.01s, 0.01s]"] + extra,
                               environment: environment, timeout: 60)
    }

    static func json(_ object: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func contact(_ id: String, _ updatedAt: String, event: String = "updated", first: String = "Ada",
                        email: String? = nil, title: String = "Engineer") -> [String: Any] {
        ["id": id, "event": event, "updatedAt": updatedAt,
         "data": ["firstName": first, "lastName": "Lovelace", "email": email ?? " \(id.uppercased())@Example.COM ",
                  "phone": "+44 1", "title": title, "leadSource": "web", "status": "active",
                  "account": ["name": "Acme \(id)"]]]
    }

    static func crmPage(_ contacts: [[String: Any]], next: String?) -> [String: Any] {
        var paging: [String: Any] = [:]
        if let next { paging["next"] = ["after": next] }
        return ["status": 200, "body": json(["results": contacts, "paging": paging])]
    }

    // MARK: CRM contacts

    func testCRMIncrementalRunsNewerWinsAndSoftDeletes() throws {
        let crm = try peer(["/api/contacts": [
            // run 1: two pages
            Self.crmPage([Self.contact("c-1", "2024-05-01T10:00:00Z"), Self.contact("c-2", "2024-05-01T11:00:00Z")], next: "c-2"),
            Self.crmPage([Self.contact("c-3", "2024-05-01T12:30:00+02:00")], next: nil),
            // run 2: one page
            Self.crmPage([Self.contact("c-1", "2024-05-02T09:00:00Z", title: "CTO"),
                          Self.contact("c-2", "2024-05-02T09:30:00Z", first: "Remote"),
                          Self.contact("c-3", "2024-05-02T10:00:00Z", event: "deleted"),
                          Self.contact("c-4", "2024-05-02T08:00:00Z", email: "new@example.com")], next: nil),
            // run 3: c-3 is re-created in the CRM
            Self.crmPage([Self.contact("c-3", "2024-05-03T09:00:00Z", event: "created", title: "Back")], next: nil),
        ]])
        let env = ["CRM_URL": crm.url, "CRM_TOKEN": "crm-token-7781"]
        let limit = ["--set", "source.paginate.limit=2"]

        let first = try run("crm-contacts", env, limit)
        XCTAssertEqual(first.exitCode, 0, first.output)
        XCTAssertEqual(crm.requests(path: "/api/contacts").map { $0["query"] as? String },
                       ["modifiedSince=1970-01-01T00%3A00%3A00Z&limit=2", "modifiedSince=1970-01-01T00%3A00%3A00Z&limit=2&after=c-2"])
        XCTAssertEqual(try db.query("SELECT external_id, first_name, email, company, title, source, status FROM contacts ORDER BY 1"), [
            ["c-1", "Ada", "c-1@example.com", "Acme c-1", "Engineer", "web", "active"],
            ["c-2", "Ada", "c-2@example.com", "Acme c-2", "Engineer", "web", "active"],
            ["c-3", "Ada", "c-3@example.com", "Acme c-3", "Engineer", "web", "active"],
        ])
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM contacts WHERE synced_at IS NOT NULL AND deleted_at IS NULL"), "3")
        // 12:30+02:00 is 10:30Z: the greatest instant read is c-2's 11:00Z.
        XCTAssertEqual(try db.scalar("SELECT value FROM etl_state WHERE pipeline = 'crm-contacts' AND key = 'cursor'"),
                       "\"2024-05-01T11:00:00Z\"")

        // A local edit newer than anything the CRM will send for c-2.
        try db.query("UPDATE contacts SET first_name = 'Local', updated_at = now() WHERE external_id = 'c-2'")

        let second = try run("crm-contacts", env, limit)
        XCTAssertEqual(second.exitCode, 0, second.output)
        XCTAssertEqual(crm.requests(path: "/api/contacts").last?["query"] as? String,
                       "modifiedSince=2024-05-01T11%3A00%3A00Z&limit=2", "the saved cursor goes out")
        let rows = try db.query("SELECT external_id, first_name, title, deleted_at IS NOT NULL FROM contacts ORDER BY 1")
        XCTAssertEqual(rows, [["c-1", "Ada", "CTO", "f"],        // newer CRM record applied
                              ["c-2", "Local", "Engineer", "f"], // newer local edit wins
                              ["c-3", "Ada", "Engineer", "t"],   // deleted in the CRM: soft delete
                              ["c-4", "Ada", "Engineer", "f"]])  // new
        XCTAssertEqual(try db.scalar("SELECT email FROM contacts WHERE external_id = 'c-4'"), "new@example.com")
        XCTAssertEqual(try db.scalar("SELECT value FROM etl_state WHERE pipeline = 'crm-contacts'"), "\"2024-05-02T10:00:00Z\"")
        XCTAssertEqual(try db.query("SELECT status, records_read, conflicts FROM etl_runs WHERE pipeline = 'crm-contacts' ORDER BY id"),
                       [["completed", "3", "0"], ["completed", "4", "1"]])
        // The conflict (c-2's newer local edit) is named, not silent.
        XCTAssertTrue(second.stderr.contains("1 records not applied to contacts: the row is newer (newer_than: updated_at): external_id=c-2"),
                      second.stderr)
        XCTAssertEqual(try db.query("SELECT external_id, deleted_from FROM contacts WHERE deleted_at IS NOT NULL"), [["c-3", "crm"]])

        // Re-created in the CRM: c-3 comes back.
        let third = try run("crm-contacts", env, limit)
        XCTAssertEqual(third.exitCode, 0, third.output)
        XCTAssertEqual(try db.query("SELECT external_id, title, deleted_at IS NULL FROM contacts WHERE external_id = 'c-3'"),
                       [["c-3", "Back", "t"]])
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM contacts WHERE deleted_at IS NOT NULL"), "0")
        XCTAssertFalse((first.output + second.output).contains("crm-token-7781"))
        // The bearer token went to the CRM.
        let auth = (crm.requests(path: "/api/contacts").first?["headers"] as? [String: String])?
            .first { $0.key.lowercased() == "authorization" }?.value
        XCTAssertEqual(auth, "Bearer crm-token-7781")
    }

    func testCRMFailedRunKeepsTheCursorAndTheTableAndAlertsSlack() throws {
        let crm = try peer(["/api/contacts": [
            Self.crmPage([Self.contact("c-1", "2024-05-01T10:00:00Z")], next: nil),
            // run 2: the first page is fine, the second keeps failing
            Self.crmPage([Self.contact("c-1", "2024-06-01T10:00:00Z", title: "CTO"), Self.contact("c-9", "2024-06-01T11:00:00Z")], next: "p2"),
            ["status": 500, "body": "database on fire"],
        ]])
        let slack = try peer(["/hook": [["status": 200, "body": "ok"]]])
        let env = ["CRM_URL": crm.url, "CRM_TOKEN": "t0k3n-crm", "SLACK_WEBHOOK_URL": slack.url + "/hook"]
        let limit = ["--set", "source.paginate.limit=2"]
        XCTAssertEqual(try run("crm-contacts", env, limit).exitCode, 0)
        XCTAssertEqual(try db.scalar("SELECT value FROM etl_state"), "\"2024-05-01T10:00:00Z\"")

        let failed = try run("crm-contacts", env, limit)
        XCTAssertEqual(failed.exitCode, 1, failed.output)
        XCTAssertTrue(failed.stderr.contains("HTTP 500"), failed.stderr)
        XCTAssertEqual(try db.scalar("SELECT value FROM etl_state"), "\"2024-05-01T10:00:00Z\"", "a failed run never moves the cursor")
        XCTAssertEqual(try db.query("SELECT external_id, title FROM contacts"), [["c-1", "Engineer"]], "page 1 of the failed run was rolled back")
        XCTAssertEqual(try db.scalar("SELECT status FROM etl_runs ORDER BY id DESC LIMIT 1"), "failed")
        XCTAssertEqual(slack.bodies(path: "/hook").count, 1)
        XCTAssertTrue(slack.bodies(path: "/hook").first?.contains("CRM contacts sync failed") == true)

        // The next run asks again from the old cursor.
        let before = crm.requests(path: "/api/contacts").count
        _ = try run("crm-contacts", env, limit)
        let queries = crm.requests(path: "/api/contacts").compactMap { $0["query"] as? String }
        XCTAssertEqual(queries.dropFirst(before).first, "modifiedSince=2024-05-01T10%3A00%3A00Z&limit=2", "\(queries)")
    }

    // MARK: shipments

    static func shipment(_ n: Int, status: String = "IN_TRANSIT") -> [String: Any] {
        ["id": "SH-\(n)", "orderId": "SO-\(n * 10)", "carrier": "UPS", "trackingNumber": "1Z\(n)",
         "shipDate": "2024-05-0\(n)", "estimatedDelivery": "2024-05-1\(n)", "status": status]
    }

    func testShipmentsPagesUpsertArchiveAndMailSummary() throws {
        let erp = try peer(["/shipments": [
            ["status": 200, "body": Self.json([Self.shipment(1), Self.shipment(2)])],
            ["status": 200, "body": Self.json([Self.shipment(3)])],
            // second run: nothing new
            ["status": 200, "body": "[]"],
        ]])
        let mail = try SMTPPeer()
        smtp = mail
        let archive = TestEnvironment.temporaryDirectory() + "/archive"
        let env = ["ERP_URL": erp.url, "ERP_TOKEN": "erp-tok-55", "ARCHIVE_URL": archive,
                   "SMTP_URL": "smtp://127.0.0.1:\(mail.port)", "SHIPMENTS_MAIL_TO": "ops@example.com, logistics@example.com"]
        let first = try run("shipments", env, ["--set", "source.paginate.limit=2"])
        XCTAssertEqual(first.exitCode, 0, first.output)
        XCTAssertEqual(erp.requests(path: "/shipments").map { $0["query"] as? String }, ["per_page=2&page=1", "per_page=2&page=2"])
        XCTAssertEqual(try db.query("""
            SELECT erp_shipment_id, order_id, carrier, tracking_number, tracking_url, ship_date, estimated_delivery, status
            FROM shipments ORDER BY 1
            """), [
            ["SH-1", "SO-10", "UPS", "1Z1", "https://track.carrier.com/1Z1", "2024-05-01", "2024-05-11", "in_transit"],
            ["SH-2", "SO-20", "UPS", "1Z2", "https://track.carrier.com/1Z2", "2024-05-02", "2024-05-12", "in_transit"],
            ["SH-3", "SO-30", "UPS", "1Z3", "https://track.carrier.com/1Z3", "2024-05-03", "2024-05-13", "in_transit"],
        ])
        // Both pages archived, the second with a page suffix.
        let archived = (FileManager.default.enumerator(atPath: archive)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".json") }
        XCTAssertEqual(archived.count, 2, "\(archived)")
        XCTAssertEqual(archived.filter { $0.hasSuffix("_p0002.json") }.count, 1, "\(archived)")

        let messages = mail.messages()
        XCTAssertEqual(messages.count, 1)
        XCTAssertEqual(messages.first?["rcpt_to"] as? [String], ["ops@example.com", "logistics@example.com"])
        let data = messages.first?["data"] as? String ?? ""
        XCTAssertTrue(data.contains("Subject: Shipments synced: 3 changed of 3\r\n"), data)
        // No orders/customers seeded here: the three "has shipped" mails are rejected (ShipmentMailTests covers them).
        XCTAssertTrue(data.contains("3 new and 0 updated shipments; 3 rejected; 0 customers mailed, 0 mails failed."), data)

        // Nothing written: no mail.
        let second = try run("shipments", env, ["--set", "source.paginate.limit=2"])
        XCTAssertEqual(second.exitCode, 0, second.output)
        XCTAssertEqual(mail.messages().count, 1)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM etl_runs WHERE pipeline = 'shipments-sync' AND status = 'completed'"), "2")
    }

    // MARK: bulk sync

    static func bulkPages(total: Int, pageSize: Int, bad: Set<Int>) -> [[String: Any]] {
        stride(from: 0, to: total, by: pageSize).map { start in
            let records: [[String: Any]] = (start..<min(start + pageSize, total)).map { i in
                ["id": "r-\(i)", "name": "Name \(i)", "email": bad.contains(i) ? "not-an-email" : "User\(i)@Example.com",
                 "amount": 10.25 + Double(i), "updatedAt": "2024-05-01T10:00:00Z", "attributes": ["tier": i % 3]]
            }
            return ["status": 200, "body": json(["data": records, "has_more": start + pageSize < total])]
        }
    }

    func testBulkSyncLoadsEveryPageWritesRejectsToSyncErrorsAndMails() throws {
        let source = try peer(["/records": Self.bulkPages(total: 250, pageSize: 100, bad: [17, 230])])
        let mail = try SMTPPeer()
        smtp = mail
        let r = try run("bulk-sync", ["SOURCE_URL": source.url, "SOURCE_TOKEN": "src-tok-1", "ENTITY": "customers",
                                      "SMTP_URL": "smtp://127.0.0.1:\(mail.port)"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(source.requests(path: "/records").map { $0["query"] as? String },
                       ["entity=customers&limit=100&offset=0", "entity=customers&limit=100&offset=100", "entity=customers&limit=100&offset=200"])
        XCTAssertEqual(try db.query("SELECT count(*), sum(amount), count(DISTINCT entity_type) FROM synced_records"), [["248", "33420.00", "1"]])
        XCTAssertEqual(try db.scalar("SELECT email FROM synced_records WHERE source_id = 'r-5'"), "user5@example.com")
        XCTAssertEqual(try db.scalar("SELECT attributes->>'tier' FROM synced_records WHERE source_id = 'r-5'"), "2")
        let errors = try db.query("SELECT record_id, position, stage, error LIKE '%not-an-email%' FROM sync_errors ORDER BY position")
        XCTAssertEqual(errors, [["r-17", "17", "validate", "t"], ["r-230", "230", "validate", "t"]])
        let runID = try db.scalar("SELECT run_id FROM bulk_sync_jobs")
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM sync_errors WHERE job_id = '\(runID)'"), "2")
        XCTAssertEqual(try db.query("SELECT status, total_records, processed_records, error_count FROM bulk_sync_jobs"),
                       [["completed", "250", "248", "2"]])
        let data = mail.messages().first?["data"] as? String ?? ""
        XCTAssertTrue(data.contains("Subject: Bulk sync completed: \(runID)\r\n"), data)
        XCTAssertTrue(data.contains("Bulk sync of customers completed: 248 processed, 2 errors"), data)
        XCTAssertEqual(mail.messages().first?["rcpt_to"] as? [String], ["data-admin@example.com"])
    }

    func testBulkSyncPastTheErrorThresholdLoadsTheGoodRecordsKeepsTheErrorsAndAlerts() throws {
        let source = try peer(["/records": Self.bulkPages(total: 150, pageSize: 100, bad: [1, 2, 3, 120])])
        let mail = try SMTPPeer()
        smtp = mail
        let r = try run("bulk-sync", ["SOURCE_URL": source.url, "SOURCE_TOKEN": "src-tok-1",
                                      "SMTP_URL": "smtp://127.0.0.1:\(mail.port)", "BULK_SYNC_MAIL_TO": "me@example.com"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM synced_records"), "146", "the good records are loaded")
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM sync_errors"), "4")
        XCTAssertEqual(try db.query("SELECT status, total_records, processed_records, error_count FROM bulk_sync_jobs"),
                       [["completed", "150", "146", "4"]])
        XCTAssertEqual(mail.messages().count, 1)
        let data = mail.messages().first?["data"] as? String ?? ""
        XCTAssertTrue(data.contains("ALERT: bulk sync of contacts completed with 4 errors in 150 records, above the 1"), data)
    }

    func testBulkSyncAskedToRefuseRollsBackButTheErrorsSurviveAndCountsSayNothingWasWritten() throws {
        let source = try peer(["/records": Self.bulkPages(total: 150, pageSize: 100, bad: [1, 2, 3, 120])])
        let mail = try SMTPPeer()
        smtp = mail
        let r = try run("bulk-sync", ["SOURCE_URL": source.url, "SOURCE_TOKEN": "src-tok-1",
                                      "SMTP_URL": "smtp://127.0.0.1:\(mail.port)", "BULK_SYNC_MAIL_TO": "me@example.com"],
                        ["--set", "rejects.max=1%"])
        XCTAssertEqual(r.exitCode, 4, r.output)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM synced_records"), "0")
        XCTAssertEqual(try db.query("SELECT record_id FROM sync_errors ORDER BY position"), [["r-1"], ["r-2"], ["r-3"], ["r-120"]],
                       "the errors of a rolled-back run are kept: they say why")
        XCTAssertEqual(try db.query("SELECT status, processed_records, error_count FROM bulk_sync_jobs"), [["failed", "0", "4"]],
                       "the ledger counts what committed")
        let data = mail.messages().first?["data"] as? String ?? ""
        XCTAssertTrue(data.contains("Subject: Bulk sync failed:"), data)
        XCTAssertTrue(data.contains("4 of 150 records rejected"), data)
    }

    // MARK: validate

    func testShippedPipelinesValidate() throws {
        for name in ["crm-contacts", "shipments", "bulk-sync"] {
            let r = try Command.run(TestEnvironment.etlBinary, ["validate", TestEnvironment.repoRoot + "/pipelines/\(name).yaml"])
            XCTAssertEqual(r.exitCode, 0, r.output)
            XCTAssertTrue(r.stdout.contains("0 errors"), r.stdout)
        }
    }
}
