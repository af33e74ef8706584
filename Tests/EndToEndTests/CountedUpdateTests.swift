import Foundation
import XCTest

/// A postgres sink with a lookup, `synced_at` and `changed_at` counts its changes from
/// its UPDATE (`RETURNING`) and its new rows as the matched rows the UPDATE did not write.
/// Through the built binary: rows, written/changed/rejected counts and rejects exact on a
/// cold run, a warm run, one with new rows and a miss, one with only a miss; and when the
/// lookup's match column is not unique (one record then writes two rows, so the rows
/// written equal the records staged although one missed: a count alone would hide it).
final class CountedUpdateTests: XCTestCase {
    var db: TestDatabase!
    var directory = ""

    override func setUpWithError() throws {
        db = try TestDatabase()
        directory = TestEnvironment.temporaryDirectory()
    }

    override func tearDown() {
        db?.drop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private let pipeline = """
        name: stock
        database: ${DATABASE_URL}
        ledger: {table: runs, columns: {written: records_written, changed: items_changed, rejected: records_rejected}}
        source: {type: file, path: stock.json}
        sink:
          type: postgres
          database: ${DATABASE_URL}
          table: stock
          key: [product_id]
          lookup: {table: products, match: {sku: sku}, select: {product_id: id}, on_miss: reject}
          columns: {qty: qty}
          synced_at: synced_at
          changed_at: changed_at
        """

    private func run(_ items: [(String, Int)]) throws -> CommandResult {
        let records = "[" + items.map { #"{"sku": "\#($0.0)", "qty": \#($0.1)}"# }.joined(separator: ",\n") + "]"
        return try db.runPipeline(pipeline, named: "stock.yaml", files: ["stock.json": records], in: directory)
    }

    private func createTables(uniqueSku: Bool) throws {
        try db.query("""
            CREATE TABLE products (id serial PRIMARY KEY, sku text NOT NULL \(uniqueSku ? "UNIQUE" : ""));
            INSERT INTO products (sku) SELECT 'P' || i FROM generate_series(1, 6) i;
            CREATE TABLE stock (product_id int PRIMARY KEY REFERENCES products, qty int,
                                changed_at timestamp, synced_at timestamp);
            """)
    }

    private func stock() throws -> [[String]] {
        try db.query("SELECT p.sku, s.qty FROM stock s JOIN products p ON p.id = s.product_id ORDER BY p.id")
    }

    private func lastRun() throws -> [String] {
        try db.query("SELECT written, changed, rejected FROM runs ORDER BY id DESC LIMIT 1")[0]
    }

    func testEveryPathCountsEachRowOnce() throws {
        try createTables(uniqueSku: true)
        // Cold: every row new (the UPDATE writes none, the resolved rows are inserted).
        var r = try run([("P1", 1), ("P2", 2), ("P3", 3)])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try lastRun(), ["3", "3", "0"])
        // Warm, every row found; one changed.
        try db.query("UPDATE stock SET changed_at = '2000-01-01', synced_at = '2000-01-01'")
        r = try run([("P1", 1), ("P2", 20), ("P3", 3)])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try lastRun(), ["3", "1", "0"])
        XCTAssertEqual(try db.query("SELECT count(*) FROM stock WHERE changed_at > '2001-01-01'"), [["1"]])
        XCTAssertEqual(try db.query("SELECT count(*) FROM stock WHERE synced_at < '2001-01-01'"), [["0"]])
        // Warm with a changed row, new rows and an unknown SKU.
        r = try run([("P1", 1), ("P2", 21), ("NOPE", 9), ("P3", 3), ("P4", 4), ("P5", 5)])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try lastRun(), ["5", "3", "1"], "5 written: 1 changed + 2 new; NOPE rejected")
        XCTAssertTrue(r.stderr.contains("NOPE"), r.stderr)
        XCTAssertEqual(try stock(), [["P1", "1"], ["P2", "21"], ["P3", "3"], ["P4", "4"], ["P5", "5"]])
        // Only unknown SKUs beside found ones: nothing new, the miss still rejected.
        r = try run([("P1", 1), ("NOPE", 9), ("P2", 21), ("P3", 3), ("P4", 4), ("P5", 5)])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try lastRun(), ["5", "0", "1"])
    }

    func testANonUniqueMatchColumnStillRejectsTheMiss() throws {
        try createTables(uniqueSku: false)
        try db.query("UPDATE products SET sku = 'P1' WHERE id = 2")   // P1 now names products 1 and 2
        var r = try run([("P1", 1), ("P3", 3)])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try db.query("SELECT product_id, qty FROM stock ORDER BY product_id"), [["1", "1"], ["2", "1"], ["3", "3"]])
        // P1 writes two rows, so the rows written equal the records staged although NOPE
        // misses: the miss must still be found and rejected.
        r = try run([("P1", 5), ("NOPE", 9), ("P3", 3)])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stderr.contains("NOPE"), r.stderr)
        XCTAssertEqual(try lastRun()[2], "1", "NOPE rejected")
        XCTAssertEqual(try db.query("SELECT product_id, qty FROM stock ORDER BY product_id"), [["1", "5"], ["2", "5"], ["3", "3"]])
    }

    /// A few records against a big table touch only their rows. The resolved rows of a
    /// small run are ANALYZEd: planned as a fresh table's ten pages of rows, they were joined
    /// to the target by reading all of it, on every webhook batch and small file.
    func testAFewRecordsDoNotScanTheWholeTarget() throws {
        try createTables(uniqueSku: true)
        try db.query("""
            INSERT INTO products (sku) SELECT 'P' || i FROM generate_series(7, 50000) i;
            INSERT INTO stock SELECT id, 1, '2000-01-01', '2000-01-01' FROM products;
            ANALYZE products; ANALYZE stock;
            """)
        func scans() throws -> (sequential: Int, updated: Int) {
            let row = try db.query("SELECT seq_scan, n_tup_upd FROM pg_stat_user_tables WHERE relname = 'stock'")[0]
            return (Int(row[0]) ?? -1, Int(row[1]) ?? -1)
        }
        let before = try scans()
        let r = try run([("P10", 5), ("P20", 6), ("P30", 7)])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try lastRun(), ["3", "3", "0"])
        // The run's sessions report their statistics when they end: wait for its 3 updates.
        var after = try scans()
        for _ in 0..<50 where after.updated < before.updated + 3 {
            Thread.sleep(forTimeInterval: 0.1)
            after = try scans()
        }
        XCTAssertEqual(after.updated, before.updated + 3, "the run's statistics arrived")
        XCTAssertEqual(after.sequential, before.sequential, "stock (50,000 rows) was read whole for 3 records")
    }
}
