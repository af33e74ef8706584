import Foundation
import XCTest

/// What an operator relies on beyond the data: logs, alerts while running,
/// notifier failures, connection checks.
final class OperatorTests: XCTestCase {
    var harness: InventoryHarness!

    override func tearDown() { harness?.stop() }

    func testJSONLogsCarryTheRunIDOnEveryLine() throws {
        let body = #"[{"sku":"SKU-00001","qty":1},{"sku":"","qty":2}]"#
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": body]])
        let r = try harness.run(["--log-format", "json"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertGreaterThanOrEqual(lines.count, 2, r.stderr)
        XCTAssertTrue(lines.allSatisfy { $0.contains("\"run_id\"") }, "every line, also the early ones: \(r.stderr)")
        let runIDs = Set(lines.compactMap { line -> String? in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["run_id"] as? String
        })
        XCTAssertEqual(runIDs.count, 1, r.stderr)
        XCTAssertEqual(try harness.db.scalar("SELECT run_id FROM sync_jobs"), runIDs.first)
    }

    func testLongRunningAlertIsSentWhileTheRunIsStillGoing() throws {
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...3)), "delay": 2.5]])
        let run = try harness.start(["--set", "vars.slow_run_alert=1s"])
        var alerted = false
        for _ in 0..<40 {
            usleep(100_000)
            if harness.slack.bodies(path: InventoryHarness.slackPath).contains(where: { $0.contains("still running") }) {
                alerted = true
                XCTAssertTrue(run.process.isRunning, "the alert came while the run was still going")
                break
            }
        }
        XCTAssertTrue(alerted)
        let r = try run.wait(timeout: 30)
        XCTAssertEqual(r.exitCode, 0, r.output)
        let bodies = harness.slack.bodies(path: InventoryHarness.slackPath)
        XCTAssertEqual(bodies.filter { $0.contains("still running") }.count, 1, "each rule fires once: \(bodies)")
        XCTAssertEqual(bodies.filter { $0.contains("took longer than") }.count, 1, "and the slow-run rule at the end: \(bodies)")
    }

    func testAFailingNotifierNeverFailsTheRun() throws {
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...3))]])
        let brokenSlack = try HTTPPeer(routes: ["/hook": [["status": 500, "body": "slack is down"]]])
        defer { brokenSlack.stop() }
        harness.extraEnvironment["SLACK_WEBHOOK_URL"] = brokenSlack.url + "/hook"
        let r = try harness.run(["--set", "notify.0.rules.1.when=status == \"completed\""])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stderr.contains("notifier"), r.stderr)
        XCTAssertFalse(r.stderr.contains("/hook"), "the webhook URL is a secret: \(r.stderr)")
        XCTAssertEqual(try harness.lastJob()["status"], "completed")
        XCTAssertGreaterThanOrEqual(brokenSlack.requests(path: "/hook").count, 1)
    }

    func testCheckConnectionsReportsAnUnreachableDatabase() throws {
        harness = try InventoryHarness(products: 1, erpResponses: [["status": 200, "body": "[]"]])
        harness.extraEnvironment["DATABASE_URL"] = "postgresql://etl:hunter2secret@127.0.0.1:1/nowhere"
        let r = try Command.run(TestEnvironment.etlBinary, ["validate", "--check-connections", TestEnvironment.repoRoot + "/pipelines/inventory.yaml"],
                                environment: harness.environment)
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stdout.contains("postgres sink connection check failed"), r.stdout)
        XCTAssertFalse(r.output.contains("hunter2secret"), r.output)
    }

    func testDatabaseDownFailsLoudlyAndAlerts() throws {
        harness = try InventoryHarness(products: 1, erpResponses: [["status": 200, "body": "[]"]])
        harness.extraEnvironment["DATABASE_URL"] = "postgresql://etl:hunter2secret@127.0.0.1:1/nowhere"
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertFalse(r.output.contains("hunter2secret"), r.output)
        XCTAssertEqual(harness.slack.bodies(path: InventoryHarness.slackPath).count, 1)
    }

    func testUnsetRequiredVariableStopsTheRunBeforeAnythingHappens() throws {
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": "[]"]])
        let env = harness.environment.filter { $0.key != "ERP_TOKEN" }
        let r = try Command.run("/usr/bin/env", ["-u", "ERP_TOKEN", TestEnvironment.etlBinary, "run", TestEnvironment.repoRoot + "/pipelines/inventory.yaml"],
                                environment: env)
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stderr.contains("ERP_TOKEN"), r.stderr)
        XCTAssertTrue(harness.erp.requests().isEmpty, "nothing ran")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'sync_jobs'"), "0")
    }

    func testSetupFailureIsRecordedInTheLedgerAndAlerted() throws {
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...3))]])
        XCTAssertEqual(try harness.run().exitCode, 0)
        try harness.db.query("ALTER TABLE products RENAME TO products_gone")
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertTrue(r.stderr.contains("setup SQL"), r.stderr)
        let job = try harness.lastJob()
        XCTAssertEqual(job["status"], "failed")
        XCTAssertTrue(job["error_message"]?.contains("products") ?? false, "\(job)")
        XCTAssertEqual(harness.slack.bodies(path: InventoryHarness.slackPath).count, 1)
    }
}
