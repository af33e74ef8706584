import Foundation
import XCTest

/// The shipped pipelines/inventory.yaml, run as cron would, against a real
/// PostgreSQL, a real HTTP ERP peer and a real Slack peer on loopback.
final class InventoryPipelineTests: XCTestCase {
    var harness: InventoryHarness!

    override func tearDown() { harness?.stop() }

    func testFirstRunAppliesStockAndLedgerThenSecondRunChangesNothing() throws {
        let body = InventoryHarness.payload(InventoryHarness.skus(1...20, qty: { $0 * 3 }))
        harness = try InventoryHarness(products: 30, erpResponses: [["status": 200, "body": body]])
        let first = try harness.run()
        XCTAssertEqual(first.exitCode, 0, first.output)
        let inv = try harness.inventory()
        XCTAssertEqual(inv.count, 20)
        XCTAssertEqual(inv["SKU-00007"]?.0, 21)
        var job = try harness.lastJob()
        XCTAssertEqual(job["status"], "completed")
        XCTAssertEqual(job["skus_processed"], "20")
        XCTAssertEqual(job["items_changed"], "20")
        XCTAssertFalse(job["completed_at"]!.isEmpty)
        XCTAssertTrue(job["s3_backup_path"]!.contains("inventory-sync/"), job["s3_backup_path"]!)
        // The archive holds the body byte for byte.
        let archived = try String(contentsOfFile: job["s3_backup_path"]!, encoding: .utf8)
        XCTAssertEqual(archived, body)
        // The ERP saw the bearer token.
        let auth = (harness.erp.requests(path: "/inventory").first?["headers"] as? [String: String])?
            .first { $0.key.lowercased() == "authorization" }?.value
        XCTAssertEqual(auth, "Bearer \(InventoryHarness.token)")
        // Quiet on success: one summary line, no token anywhere.
        XCTAssertFalse(first.output.contains(InventoryHarness.token))
        XCTAssertLessThanOrEqual(first.stderr.split(separator: "\n").count, 1, first.stderr)

        let firstArchive = job["s3_backup_path"]!
        let second = try harness.run()
        XCTAssertEqual(second.exitCode, 0, second.output)
        job = try harness.lastJob()
        XCTAssertNotEqual(job["s3_backup_path"], firstArchive, "a second run never overwrites the first run's payload")
        XCTAssertEqual(try String(contentsOfFile: firstArchive, encoding: .utf8), body)
        XCTAssertEqual(job["status"], "completed")
        XCTAssertEqual(job["items_changed"], "0")
        XCTAssertEqual(job["skus_processed"], "20")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM sync_jobs"), "2")
        XCTAssertTrue(harness.slack.requests().isEmpty, "no alert on a quiet success")
    }

    func testOnlyChangedRowsCountAndUpdatedAtMovesOnlyForThem() throws {
        harness = try InventoryHarness(products: 10, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...10))]])
        XCTAssertEqual(try harness.run().exitCode, 0)
        try harness.db.query("UPDATE inventory SET updated_at = '2000-01-01', last_synced_at = '2000-01-01'")
        var items = InventoryHarness.skus(1...10)
        items[2] = ("SKU-00003", 999)
        try harness.replaceERP([["status": 200, "body": InventoryHarness.payload(items)]])
        XCTAssertEqual(try harness.run().exitCode, 0)
        XCTAssertEqual(try harness.lastJob()["items_changed"], "1")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory WHERE updated_at > '2001-01-01'"), "1")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory WHERE last_synced_at > '2001-01-01'"), "10")
    }

    /// A warm run with every kind of record at once: unchanged, changed, new products,
    /// a repeated SKU and an unknown one. The counts come from the UPDATE itself
    /// (PostgresApplyPlan+CountedUpdate.swift), the new rows from the matched-but-not-updated.
    func testWarmRunWithNewChangedRepeatedAndUnknownSkusCountsEachOnce() throws {
        harness = try InventoryHarness(products: 12, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...8))]])
        XCTAssertEqual(try harness.run().exitCode, 0)
        try harness.db.query("UPDATE inventory SET updated_at = '2000-01-01'")
        var items = InventoryHarness.skus(1...11)             // 9, 10, 11 are new
        items[0] = ("SKU-00001", 500)                          // changed
        items.append(("SKU-00002", 41))                        // repeated: the last one wins, a change
        items.append(("NOPE-7", 1))                            // unknown: rejected
        items.append(("SKU-00010", 77))                        // a new one, repeated
        try harness.replaceERP([["status": 200, "body": InventoryHarness.payload(items)]])
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 0, r.output)
        let inv = try harness.inventory()
        XCTAssertEqual(inv.count, 11)
        XCTAssertEqual(inv["SKU-00001"]?.0, 500)
        XCTAssertEqual(inv["SKU-00002"]?.0, 41)
        XCTAssertEqual(inv["SKU-00010"]?.0, 77)
        XCTAssertEqual(inv["SKU-00011"]?.0, 11)
        let job = try harness.lastJob()
        XCTAssertEqual(job["skus_processed"], "11", "11 distinct known SKUs")
        XCTAssertEqual(job["skus_rejected"], "1")
        XCTAssertEqual(job["items_changed"], "5", "2 changed + 3 new")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory WHERE updated_at > '2001-01-01'"), "5")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory WHERE last_synced_at < now() - interval '1 hour'"), "0")
    }

    func testInvalidRecordsAndUnknownSkusAreRejectedWithPositionAndTheRestApplied() throws {
        let body = """
        [{"sku": "SKU-00001", "qty": 5},
         {"sku": "", "qty": 1},
         {"qty": 2},
         {"sku": "SKU-00002", "qty": -1},
         {"sku": "SKU-00003", "qty": "many"},
         {"sku": "SKU-00004", "qty": 1.5},
         {"sku": "NOPE-1", "qty": 3},
         {"sku": 12, "qty": 3},
         {"sku": "SKU-00005", "qty": 99999999999},
         {"sku": "SKU-00006", "qty": 6}]
        """
        harness = try InventoryHarness(products: 10, erpResponses: [["status": 200, "body": body]])
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(Set(try harness.inventory().keys), ["SKU-00001", "SKU-00006"])
        let job = try harness.lastJob()
        XCTAssertEqual(job["skus_processed"], "2")
        XCTAssertEqual(job["skus_rejected"], "8")
        XCTAssertTrue(r.stderr.contains("record 2 (the 2nd from the source)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("sku is empty"), r.stderr)
        XCTAssertTrue(r.stderr.contains("record 7 (the 7th from the source)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("NOPE-1"), r.stderr)
        XCTAssertTrue(r.stderr.contains("qty must be an integer"), r.stderr)
    }

    func testDuplicateSkuLastWinsWithWarning() throws {
        let body = #"[{"sku":"SKU-00001","qty":1},{"sku":"SKU-00001","qty":7},{"sku":"SKU-00002","qty":2}]"#
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": body]])
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try harness.inventory()["SKU-00001"]?.0, 7)
        XCTAssertTrue(r.stderr.contains("more than once"), r.stderr)
    }

    func testDiscontinuedSetsTimestampKeepsItAndFalseClearsIt() throws {
        let items = InventoryHarness.skus(1...3)
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": InventoryHarness.payload(items, discontinued: ["SKU-00002": true])]])
        XCTAssertEqual(try harness.run().exitCode, 0)
        XCTAssertEqual(try harness.inventory()["SKU-00002"].map { [$0.1, $0.2] }, [true, true])
        let first = try harness.db.scalar("SELECT discontinued_at FROM inventory i JOIN products p ON p.id = i.product_id WHERE sku = 'SKU-00002'")
        // Still discontinued: the first timestamp is kept.
        XCTAssertEqual(try harness.run().exitCode, 0)
        XCTAssertEqual(try harness.db.scalar("SELECT discontinued_at FROM inventory i JOIN products p ON p.id = i.product_id WHERE sku = 'SKU-00002'"), first)
        XCTAssertEqual(try harness.lastJob()["items_changed"], "0")
        try harness.replaceERP([["status": 200, "body": InventoryHarness.payload(items, discontinued: ["SKU-00002": false])]])
        XCTAssertEqual(try harness.run().exitCode, 0)
        XCTAssertEqual(try harness.inventory()["SKU-00002"].map { [$0.1, $0.2] }, [false, false])
        XCTAssertEqual(try harness.lastJob()["items_changed"], "1")
    }

    func testTheNightlyPayloadIsASnapshotAnAbsentFlagClearsDiscontinuedLikeFalse() throws {
        let items = InventoryHarness.skus(1...3)
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": InventoryHarness.payload(items, discontinued: ["SKU-00002": true])]])
        XCTAssertEqual(try harness.run().exitCode, 0)
        XCTAssertEqual(try harness.inventory()["SKU-00002"].map { [$0.1, $0.2] }, [true, true])
        // The next snapshot no longer mentions the flag: the stock came back.
        try harness.replaceERP([["status": 200, "body": InventoryHarness.payload(items)]])
        XCTAssertEqual(try harness.run().exitCode, 0)
        XCTAssertEqual(try harness.inventory()["SKU-00002"].map { [$0.1, $0.2] }, [false, false])
        XCTAssertEqual(try harness.lastJob()["items_changed"], "1")
    }

    func testServerErrorThenSuccessIsRetried() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 500, "body": "boom"], ["status": 503],
                                                                   ["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5))]])
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(harness.erp.requests(path: "/inventory").count, 3)
        XCTAssertEqual(try harness.inventory().count, 5)
    }

    func testTooManyRequestsHonoursRetryAfterUpToTheBackoffStep() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 429, "headers": ["Retry-After": "1"]],
                                                                   ["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5))]])
        let started = Date()
        let r = try harness.run(["--set", "source.retry.backoff=[2s]"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(harness.erp.requests(path: "/inventory").count, 2)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "waited for Retry-After")
    }

    func testClientErrorIsNotRetriedAndFailsLoudly() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 401, "body": "bad token"]])
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertEqual(harness.erp.requests(path: "/inventory").count, 1)
        let job = try harness.lastJob()
        XCTAssertEqual(job["status"], "failed")
        XCTAssertTrue(job["error_message"]!.contains("401"), job["error_message"]!)
        XCTAssertTrue(r.stderr.contains("401"))
        XCTAssertFalse(r.output.contains(InventoryHarness.token))
        let alerts = harness.slack.bodies(path: InventoryHarness.slackPath)
        XCTAssertEqual(alerts.count, 1)
        XCTAssertTrue(alerts[0].contains("#ops-inventory"), alerts[0])
        XCTAssertTrue(alerts[0].contains("FAILED"), alerts[0])
    }

    func testRetriesExhaustedFailTheRunWithoutTouchingTheTarget() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 502]])
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 1)
        XCTAssertEqual(harness.erp.requests(path: "/inventory").count, 4, "1 try + 3 retries")
        XCTAssertEqual(try harness.lastJob()["status"], "failed")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory"), "0")
    }

    func testTruncatedOrWrongShapePayloadFailsAndLeavesTargetAsItWas() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5))]])
        XCTAssertEqual(try harness.run().exitCode, 0)
        let before = try harness.db.query("SELECT product_id, in_stock, updated_at, last_synced_at FROM inventory ORDER BY 1")
        for bad in [#"[{"sku":"SKU-00001","qty":100},{"sku":"SKU-00002","q"#, #"{"items": []}"#, "<html>oops</html>"] {
            try harness.replaceERP([["status": 200, "body": bad]])
            let r = try harness.run()
            XCTAssertEqual(r.exitCode, 1, "payload \(bad): \(r.output)")
            XCTAssertEqual(try harness.lastJob()["status"], "failed")
            XCTAssertEqual(try harness.db.query("SELECT product_id, in_stock, updated_at, last_synced_at FROM inventory ORDER BY 1"), before)
        }
    }

    func testSignificantChangeAlertsSlack() throws {
        harness = try InventoryHarness(products: 20, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...20))]])
        let r = try harness.run(["--set", "vars.change_alert_threshold=10"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        let alerts = harness.slack.bodies(path: InventoryHarness.slackPath)
        XCTAssertEqual(alerts.count, 1, "\(alerts)")
        XCTAssertTrue(alerts.first?.contains("20 items changed") ?? false, "\(alerts)")
    }

    func testTwoRunsAtOnceExactlyOneRunsTheOtherExitsThree() throws {
        let body = InventoryHarness.payload(InventoryHarness.skus(1...5))
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": body, "delay": 2]])
        let a = try harness.start()
        let b = try harness.start()
        let ra = try a.wait(timeout: 60), rb = try b.wait(timeout: 60)
        XCTAssertEqual([ra.exitCode, rb.exitCode].sorted(), [0, 3], ra.output + rb.output)
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM sync_jobs"), "1")
        XCTAssertEqual(try harness.db.scalar("SELECT status FROM sync_jobs"), "completed")
        let alerts = harness.slack.bodies(path: InventoryHarness.slackPath)
        XCTAssertTrue(alerts.contains { $0.contains("overlap") }, "\(alerts)")
    }

    func testRecentRunningRowSkipsAndStaleOneIsMarkedFailed() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5))]])
        XCTAssertEqual(try harness.run().exitCode, 0)   // creates the tables
        try harness.db.query("INSERT INTO sync_jobs (started_at, status) VALUES (now() AT TIME ZONE 'UTC' - interval '5 minutes', 'running')")
        let skipped = try harness.run()
        XCTAssertEqual(skipped.exitCode, 3, skipped.output)
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM sync_jobs"), "2")
        try harness.db.query("UPDATE sync_jobs SET started_at = now() AT TIME ZONE 'UTC' - interval '40 minutes' WHERE status = 'running'")
        let ran = try harness.run()
        XCTAssertEqual(ran.exitCode, 0, ran.output)
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM sync_jobs WHERE status = 'failed' AND error_message LIKE '%timed out%'"), "1")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM sync_jobs WHERE status = 'running'"), "0")
    }

    func testRunTimeoutRollsBackMarksFailedAndAlerts() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5)), "delay": 5]])
        let r = try harness.run(["--set", "timeout=1s", "--set", "source.timeout=3s", "--set", "source.retry.backoff=[]"])
        XCTAssertEqual(r.exitCode, 1, r.output)
        let job = try harness.lastJob()
        XCTAssertEqual(job["status"], "failed")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory"), "0")
        XCTAssertTrue(harness.slack.bodies(path: InventoryHarness.slackPath).contains { $0.contains("FAILED") })
    }

    func testSigtermMarksTheRunFailedAndReleasesTheLock() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5)), "delay": 3]])
        let running = try harness.start(["--set", "source.retry.backoff=[]"])
        var waited = 0
        while (try? harness.db.scalar("SELECT count(*) FROM sync_jobs WHERE status = 'running'")) != "1" && waited < 100 {
            usleep(50_000); waited += 1
        }
        running.signal(SIGTERM)
        let r = try running.wait(timeout: 30)
        XCTAssertNotEqual(r.exitCode, 0)
        XCTAssertEqual(try harness.lastJob()["status"], "failed")
        XCTAssertTrue(try harness.lastJob()["error_message"]!.contains("SIGTERM"))
        try harness.replaceERP([["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5))]])
        XCTAssertEqual(try harness.run().exitCode, 0, "the lock was released")
    }

    func testDryRunWritesNothingAndShowsNoSecrets() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5))]])
        XCTAssertEqual(try harness.run().exitCode, 0)   // tables exist
        try harness.db.query("DELETE FROM inventory; DELETE FROM sync_jobs")
        let r = try harness.run(["--dry-run"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stdout.contains("would write 5 records"), r.stdout)
        XCTAssertTrue(r.stderr.contains("would_write=5"), "the summary says what would be written: \(r.stderr)")
        XCTAssertFalse(r.output.contains("records_written="), "a dry run never says written: \(r.output)")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory"), "0")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM sync_jobs"), "0")
        XCTAssertFalse(r.output.contains(InventoryHarness.token))
        XCTAssertFalse(r.output.contains("SECRETHOOK"))
    }

    func testMissingSlackWebhookSkipsAlertsWithOneWarning() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 500]])
        harness.extraEnvironment["SLACK_WEBHOOK_URL"] = ""
        var env = harness.environment
        env.removeValue(forKey: "SLACK_WEBHOOK_URL")
        let r = try Command.run("/usr/bin/env", ["-u", "SLACK_WEBHOOK_URL", TestEnvironment.etlBinary, "run",
                                                  TestEnvironment.repoRoot + "/pipelines/inventory.yaml"] + InventoryHarness.fastRetry,
                                 environment: env.filter { $0.key != "SLACK_WEBHOOK_URL" })
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertEqual(r.stderr.components(separatedBy: "SLACK_WEBHOOK_URL").count - 1, 1, r.stderr)
        XCTAssertEqual(try harness.lastJob()["status"], "failed")
    }

    func testArchiveToS3PutsTheRawBodyUnderTheSpecKey() throws {
        let endpoint = try TestEnvironment.s3Endpoint()
        let body = InventoryHarness.payload(InventoryHarness.skus(1...5))
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": body]])
        let bucket = "company-erp-backups-" + UUID().uuidString.prefix(6).lowercased()
        let aws = ["AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"]
        XCTAssertEqual(try Command.run("/usr/bin/env", ["aws", "--endpoint-url", endpoint, "s3", "mb", "s3://\(bucket)"], environment: aws).exitCode, 0)
        harness.extraEnvironment = aws.merging(["ARCHIVE_URL": "s3://\(bucket)"]) { $1 }
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 0, r.output)
        let path = try harness.lastJob()["s3_backup_path"]!
        let key = path.replacingOccurrences(of: "s3://\(bucket)/", with: "")
        let pattern = #"^inventory-sync/\d{4}-\d{2}-\d{2}/inventory_\d{8}_\d{6}\.json$"#
        XCTAssertNotNil(key.range(of: pattern, options: .regularExpression), key)
        let out = TestEnvironment.temporaryDirectory() + "/got.json"
        XCTAssertEqual(try Command.run("/usr/bin/env", ["aws", "--endpoint-url", endpoint, "s3", "cp", "s3://\(bucket)/\(key)", out], environment: aws).exitCode, 0)
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), body)
        let lifecycle = try Command.run("/usr/bin/env", ["aws", "--endpoint-url", endpoint, "s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket], environment: aws)
        XCTAssertTrue(lifecycle.stdout.contains("30"), lifecycle.output)
    }

    func testERPURLWithTrailingSlashStillReachesInventory() throws {
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...3))]])
        harness.extraEnvironment["ERP_URL"] = harness.erp.url + "/"
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(harness.erp.requests(path: "/inventory").count, 1)
    }

    func testTimeoutCutsRetryWaitsAndSlowRequestsShort() throws {
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 503]])
        let started = Date()
        let r = try harness.run(["--set", "timeout=2s", "--set", "source.retry.backoff=[30s, 30s]"])
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the 30 s backoff was cut short by the 2 s timeout")
        let error = try harness.lastJob()["error_message"] ?? ""
        XCTAssertTrue(error.contains("timed out"), error)
    }

    func testS3ArchiveWithoutCredentialsFailsBeforeFetchingAndSaysWhatToSet() throws {
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...3))]])
        harness.extraEnvironment["ARCHIVE_URL"] = "s3://company-erp-backups"
        let env = harness.environment
        let r = try Command.run("/usr/bin/env", ["-u", "AWS_ACCESS_KEY_ID", "-u", "AWS_SECRET_ACCESS_KEY", TestEnvironment.etlBinary, "run",
                                                  TestEnvironment.repoRoot + "/pipelines/inventory.yaml"] + InventoryHarness.fastRetry,
                                 environment: env)
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertTrue(r.stderr.contains("AWS_"), r.stderr)
        XCTAssertTrue(harness.erp.requests(path: "/inventory").isEmpty, "nothing fetched before the archive could be opened")
        XCTAssertEqual(try harness.lastJob()["status"], "failed")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory"), "0")
    }
}
