import Foundation
import XCTest

/// PostgreSQL going away under a run, and a signal while the sink's statement
/// runs: the target stays as it was and the run ends promptly.
final class DatabaseFaultTests: XCTestCase {
    var harness: InventoryHarness!

    override func tearDown() { harness?.stop() }

    private func waitUntil(_ what: String, timeout: Double = 30, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(condition(), "never happened: \(what)")
    }

    /// What a server restart looks like from the run: every connection it holds is cut.
    func testConnectionsCutMidRunFailTheRunAndLeaveTheTargetAsItWas() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5)), "delay": 2]])
        let running = try harness.start()
        waitUntil("the ERP request") { !harness.erp.requests(path: "/inventory").isEmpty }
        try harness.db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        let r = try running.wait(timeout: 60)
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertTrue(r.stderr.lowercased().contains("connection") || r.stderr.contains("terminat"), r.stderr)
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory"), "0", "target unchanged")
    }

    func testSigtermDuringTheSinksUpdateCancelsItAndRollsBack() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5))]])
        XCTAssertEqual(try harness.run().exitCode, 0)   // tables and a first state
        let before = try harness.db.query("SELECT product_id, in_stock, updated_at FROM inventory ORDER BY 1")
        // Every statement on inventory now takes 60 s: the run will sit in the sink's INSERT/UPDATE.
        let slow = TestEnvironment.temporaryDirectory() + "/slow.sql"
        try """
            CREATE OR REPLACE FUNCTION etl_test_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$;
            DROP TRIGGER IF EXISTS etl_test_slow ON inventory;
            CREATE TRIGGER etl_test_slow BEFORE INSERT OR UPDATE ON inventory FOR EACH STATEMENT EXECUTE FUNCTION etl_test_slow();
            """.write(toFile: slow, atomically: true, encoding: .utf8)
        try harness.replaceERP([["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5, qty: { $0 + 100 }))]])
        let running = try harness.start(["--set", "setup=[\(TestEnvironment.repoRoot)/sql/inventory.sql, \(slow)]"])
        waitUntil("the sink's statement sleeping in the trigger") {
            (try? harness.db.scalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'")) == "1"
        }
        let signalled = Date()
        running.signal(SIGTERM)
        let r = try running.wait(timeout: 90)
        XCTAssertLessThan(Date().timeIntervalSince(signalled), 10)
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertEqual(try harness.lastJob()["status"], "failed")
        XCTAssertTrue(try harness.lastJob()["error_message"]?.contains("SIGTERM") == true)
        XCTAssertEqual(try harness.db.query("SELECT product_id, in_stock, updated_at FROM inventory ORDER BY 1"), before, "rolled back")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"), "0", "lock released")
    }
}
