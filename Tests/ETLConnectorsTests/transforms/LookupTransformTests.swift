import Foundation
import XCTest
import ETLCore
import ETLPostgres
@testable import ETLConnectors

/// Against the real PostgreSQL from DATABASE_URL. The looked-up "table" is a view
/// over a function that bumps a sequence once per query, so the tests can count
/// the queries the transform issues.
final class LookupTransformTests: XCTestCase {
    var url = ""
    var table = ""
    var db: PostgresConnection!

    override func setUpWithError() throws {
        guard let u = ProcessInfo.processInfo.environment["DATABASE_URL"], !u.isEmpty else {
            throw XCTSkip("DATABASE_URL not set: run with scripts/test or scripts/pg")
        }
        url = u
        table = "lookup_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        db = try PostgresConnection(url: url)
        try db.simpleExecute("""
            CREATE TABLE \(table)_rows (id INT PRIMARY KEY, email TEXT, price NUMERIC(10,2), name TEXT);
            INSERT INTO \(table)_rows VALUES (1, 'ann@example.com', 9.99, 'Zoë'), (2, NULL, 0.10, '東京'), (3, 'c@example.com', 1.00, 'C');
            CREATE SEQUENCE \(table)_queries;
            CREATE FUNCTION \(table)_read() RETURNS SETOF \(table)_rows LANGUAGE plpgsql AS $$
              BEGIN PERFORM nextval('\(table)_queries'); RETURN QUERY SELECT * FROM \(table)_rows; END $$;
            CREATE VIEW \(table) AS SELECT * FROM \(table)_read();
            """)
    }

    override func tearDown() {
        _ = try? db?.simpleExecute("""
            DROP VIEW IF EXISTS \(table); DROP FUNCTION IF EXISTS \(table)_read(); DROP TABLE IF EXISTS \(table)_rows;
            DROP SEQUENCE IF EXISTS \(table)_queries;
            """)
        db?.close()
    }

    private func lookup(onMiss: String = "reject", key: String = "customerId") throws -> Transform {
        try TransformHarness.make("lookup", """
            database: "\(url)"
            table: \(table)
            key: \(key)
            match: id
            fields: {customer_email: email, price: price, customer_name: name}
            on_miss: \(onMiss)
            """)
    }

    private func queries() throws -> Int64 {
        let r = try db.execute("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM \(table)_queries")
        return r.value(row: 0, column: 0).intValue ?? -1
    }

    private let input = #"[{"customerId": 1}, {"customerId": 9}, {"customerId": "2"}, {"other": true}, {"customerId": 1}]"#

    func testHitsAreEnrichedAndMissesRejectedWithTheKey() throws {
        let out = try TransformHarness.run(try lookup(), [TransformHarness.records(input)])
        XCTAssertEqual(out.records.map(\.position), [0, 2, 4])
        let first = try XCTUnwrap(out.records.first)
        XCTAssertEqual(first["customer_email"], "ann@example.com")
        XCTAssertEqual(first["price"], .decimal(Decimal(string: "9.99")!))
        XCTAssertEqual(first["customer_name"], "Zoë")
        // A text key matches an int column; a null column stays null.
        XCTAssertEqual(out.records[1]["customer_email"], .null)
        XCTAssertEqual(out.records[1]["customer_name"], "東京")
        XCTAssertEqual(out.records[1]["customerId"], "2")
        XCTAssertEqual(out.rejects.map(\.record.position), [1, 3])
        XCTAssertEqual(out.rejects.map(\.stage), ["lookup", "lookup"])
        XCTAssertEqual(out.rejects[0].reasons, ["no \(table) row with id = 9"])
        XCTAssertEqual(out.rejects[1].reasons, ["no key to look up in \(table) (customerId is null)"])
        XCTAssertEqual(try queries(), 1, "one query for the whole batch")
    }

    func testOnMissDropAndKeep() throws {
        let dropped = try TransformHarness.run(try lookup(onMiss: "drop"), [TransformHarness.records(input)])
        XCTAssertEqual(dropped.records.map(\.position), [0, 2, 4])
        XCTAssertEqual(dropped.rejects, [])
        let kept = try TransformHarness.run(try lookup(onMiss: "keep"), [TransformHarness.records(input)])
        XCTAssertEqual(kept.records.map(\.position), [0, 1, 2, 3, 4])
        XCTAssertEqual(kept.rejects, [])
        XCTAssertEqual(kept.records[1].json, #"{"customerId":9,"customer_email":null,"price":null,"customer_name":null}"#)
    }

    func testKeysAreCachedForTheRunAndOnlyNewKeysAreQueried() throws {
        let transform = try lookup()
        let context = TransformHarness.context()
        let first = try transform.process(Batch(TransformHarness.records(#"[{"customerId": 1}, {"customerId": 2}, {"customerId": 7}]"#)), context)
        XCTAssertEqual(first.batch.count, 2)
        XCTAssertEqual(try queries(), 1)
        // Hits and misses are both remembered: the same keys again issue no query at all …
        try db.simpleExecute("DROP VIEW \(table)")
        let second = try transform.process(Batch(TransformHarness.records(#"[{"customerId": 2}, {"customerId": 1}, {"customerId": 7}]"#, from: 3)), context)
        XCTAssertEqual(second.batch.records.map { $0["customer_name"] }, ["東京", "Zoë"])
        XCTAssertEqual(second.rejects.map(\.record.position), [5])
        // … while a new key does (and finds the view gone).
        XCTAssertThrowsError(try transform.process(Batch(TransformHarness.records(#"[{"customerId": 3}]"#)), context))
    }

    func testAKeyThatCannotBeComputedIsRejectedEvenWithOnMissKeep() throws {
        let out = try TransformHarness.run(try lookup(onMiss: "keep", key: "to_int(customerId)"),
                                           [TransformHarness.records(#"[{"customerId": "3"}, {"customerId": "x"}]"#)])
        XCTAssertEqual(out.records.map { $0["customer_name"] }, ["C"])
        XCTAssertEqual(out.rejects.map(\.record.position), [1])
        XCTAssertEqual(out.rejects.first?.reasons, [#"key: to_int: cannot convert "x" to int"#])
    }

    func testMissingTableFailsTheRunWithTheTableName() throws {
        let transform = try TransformHarness.make("lookup", """
            {database: "\(url)", table: \(table)_nope, key: id, match: id, fields: {a: b}}
            """)
        XCTAssertThrowsError(try transform.process(Batch(TransformHarness.records(#"[{"id": 1}]"#)), TransformHarness.context())) { error in
            XCTAssertTrue("\(error)".contains("\(table)_nope"), "\(error)")
        }
    }
}
