import Foundation
import XCTest

/// `etl run --dry-run` on the shipped inventory pipeline: without a database it
/// reads, transforms and says what would be written; with one it also shows the
/// diff from a rolled-back transaction. Either way nothing changes and no secret shows.
final class DryRunTests: XCTestCase {
    var harness: InventoryHarness!

    override func tearDown() { harness?.stop() }

    func testDryRunWithoutADatabaseShowsWhatWouldBeWritten() throws {
        harness = try InventoryHarness(products: 0, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...3), discontinued: ["SKU-00002": true])]])
        harness.extraEnvironment["DATABASE_URL"] = "postgresql://etl:hunter2secret@127.0.0.1:1/nowhere"
        let r = try harness.run(["--dry-run"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stdout.contains("would write 3 records"), r.stdout)
        XCTAssertTrue(r.stdout.contains("sink (postgres): would be given 3 records (not reachable, no diff)"), r.stdout)
        XCTAssertTrue(r.stdout.contains(#"{"sku":"SKU-00002","qty":2,"discontinued":true}"#), r.stdout)
        XCTAssertTrue(r.stderr.contains("would_write=3"), r.stderr)
        XCTAssertFalse(r.output.contains("written="), "a dry run never says written: \(r.output)")
        XCTAssertFalse(r.output.contains("hunter2secret"), r.output)
        XCTAssertFalse(r.output.contains(InventoryHarness.token), r.output)
        XCTAssertFalse(r.output.contains("SECRETHOOK"), r.output)
        XCTAssertEqual(try harness.db.scalar("SELECT to_regclass('sync_jobs') IS NULL"), "t", "no ledger anywhere")
    }

    func testDryRunWithoutADatabaseCountsRejectsWithoutTheirSink() throws {
        let dir = TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"[{"sku": "A", "qty": 1}, {"sku": "B", "qty": "many"}]"#.write(toFile: dir + "/in.json", atomically: true, encoding: .utf8)
        try """
            name: dry-rejects
            database: ${DATABASE_URL}
            ledger: {table: sync_jobs}
            source: {type: file, path: in.json}
            transforms:
              - type: validate
                rules: {qty: {type: int}}
            sink: {type: postgres, database: "${DATABASE_URL}", table: stock, key: [sku], columns: {sku: sku, qty: qty}}
            rejects:
              sink: {type: postgres, database: "${DATABASE_URL}", table: stock_rejects, mode: insert, columns: {sku: sku}}
            """.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let r = try Command.run(TestEnvironment.etlBinary, ["run", dir + "/p.yaml", "--dry-run"],
                                environment: ["DATABASE_URL": "postgresql://etl:hunter2secret@127.0.0.1:1/nowhere"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stdout.contains("would write 1 records"), r.stdout)
        XCTAssertTrue(r.stdout.contains("; 1 rejected"), r.stdout)
        XCTAssertTrue(r.stderr.contains("records_rejected=1"), r.stderr)
        XCTAssertFalse(r.output.contains("hunter2secret"), r.output)
    }

    func testDryRunWithADatabaseShowsTheDiffAndChangesNothing() throws {
        harness = try InventoryHarness(products: 4, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...3, qty: { _ in 45 }))]])
        XCTAssertEqual(try harness.run().exitCode, 0)
        try harness.replaceERP([["status": 200, "body": InventoryHarness.payload([("SKU-00001", 40), ("SKU-00002", 45), ("SKU-00004", 7)],
                                                                                 discontinued: ["SKU-00003": true])]])
        let before = try harness.db.query("SELECT product_id, in_stock, is_discontinued, last_synced_at FROM inventory ORDER BY 1")
        let r = try harness.run(["--dry-run"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        let lines = r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertTrue(lines.contains("SKU-00001  in_stock 45 → 40"), r.stdout)
        XCTAssertTrue(lines.contains("SKU-00004  new: in_stock 7, is_discontinued false"), r.stdout)
        XCTAssertFalse(r.stdout.contains("SKU-00002  "), "an unchanged row is not in the diff: \(r.stdout)")
        XCTAssertTrue(r.stderr.contains("would_change=2"), r.stderr)
        XCTAssertEqual(try harness.db.query("SELECT product_id, in_stock, is_discontinued, last_synced_at FROM inventory ORDER BY 1"), before)
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM sync_jobs"), "1", "no ledger row for a dry run")
        XCTAssertFalse(r.output.contains(InventoryHarness.token), r.output)
    }
}
