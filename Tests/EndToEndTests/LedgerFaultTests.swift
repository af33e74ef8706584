import Foundation
import XCTest

/// The ledger after the faults that used to leave it wrong: a run killed without
/// a chance to clean up, and a ledger write that fails after the data committed.
final class LedgerFaultTests: XCTestCase {
    var harness: InventoryHarness!
    override func tearDown() { harness?.stop() }

    static let fivePayload = InventoryHarness.payload(InventoryHarness.skus(1...5))

    func testAKilledRunDoesNotBlockTheNextRunTheFreeLockProvesItDied() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": Self.fivePayload, "delay": 20]])
        let running = try harness.start(["--set", "source.retry.backoff=[]"])
        var waited = 0
        while (try? harness.db.scalar("SELECT count(*) FROM sync_jobs WHERE status = 'running'")) != "1" && waited < 200 {
            usleep(50_000); waited += 1
        }
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM sync_jobs WHERE status = 'running'"), "1")
        running.signal(SIGKILL)   // no handler runs: the row stays `running`, the server frees the lock
        _ = try running.wait(timeout: 30)

        try harness.replaceERP([["status": 200, "body": Self.fivePayload]])
        let rerun = try harness.run()
        XCTAssertEqual(rerun.exitCode, 0, "the next run is not blocked for the whole timeout: \(rerun.output)")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM sync_jobs WHERE status = 'running'"), "0")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM sync_jobs WHERE status = 'failed' AND error_message LIKE 'process died:%started at%'"), "1")
        XCTAssertEqual(try harness.db.scalar("SELECT status FROM sync_jobs ORDER BY id DESC LIMIT 1"), "completed")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory"), "5")
        XCTAssertFalse(harness.slack.bodies(path: InventoryHarness.slackPath).contains { $0.contains("overlap") },
                       "no misleading overlap alert")
    }

    func testALedgerColumnThatCannotHoldItsVariableFailsBeforeAnythingIsTouched() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": Self.fivePayload]])
        XCTAssertEqual(try harness.run().exitCode, 0)   // creates sync_jobs with api_latency_ms bigint
        let before = try harness.db.scalar("SELECT count(*) FROM sync_jobs")
        let r = try harness.run(["--set", "ledger.columns.api_latency_ms=duration"])
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertTrue(r.output.contains("sync_jobs.api_latency_ms is int4 but run variable duration"), r.output)
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM sync_jobs WHERE status = 'running'"), "0",
                       "no row is left running, so the next run is not skipped")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM sync_jobs"), String(Int(before)! + 1), "the failure is in the ledger")
        XCTAssertEqual(try harness.db.scalar("SELECT status FROM sync_jobs ORDER BY id DESC LIMIT 1"), "failed")
        XCTAssertEqual(try harness.run().exitCode, 0, "the next correct run goes ahead")
    }

    func testALedgerWriteFailingAfterTheCommitIsLoudAndNeverLeavesTheRowRunning() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": Self.fivePayload]])
        XCTAssertEqual(try harness.run().exitCode, 0)
        // A constraint the finished row cannot meet: the data commits, the ledger update fails.
        try harness.db.query("ALTER TABLE sync_jobs ADD CONSTRAINT refuse_counts CHECK (items_changed IS NULL OR items_changed <> 5) NOT VALID")
        try harness.replaceERP([["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5, qty: { $0 + 10 }))]])
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 5, r.output)
        XCTAssertTrue(r.output.contains("the data committed, but the ledger row"), r.output)
        XCTAssertEqual(try harness.db.scalar("SELECT sum(in_stock)::text FROM inventory"), "65", "the data did commit")
        let job = try harness.lastJob()
        XCTAssertEqual(job["status"], "completed")
        XCTAssertTrue(job["error_message"]?.contains("ledger columns could not be written") ?? false, "\(job)")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM sync_jobs WHERE status = 'running'"), "0")
    }
}
