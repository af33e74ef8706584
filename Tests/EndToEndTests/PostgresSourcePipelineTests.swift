import Foundation
import XCTest

/// A `postgres` source → `file` sink pipeline through the built binary, run as
/// cron would: incremental, so a rerun with no change reads nothing and a change
/// is picked up.
final class PostgresSourcePipelineTests: XCTestCase {
    var db: TestDatabase!
    var directory = ""

    override func setUpWithError() throws {
        db = try TestDatabase()
        directory = TestEnvironment.temporaryDirectory()
        try db.query("""
            CREATE TABLE orders (id bigint PRIMARY KEY, region text NOT NULL, total numeric(12,2), tags text[],
                                 details jsonb, updated_at timestamptz NOT NULL);
            INSERT INTO orders VALUES
              (1, 'EU', 10.50, '{a,b}', '{"lines": 2}', '2026-03-01 10:00:00.000001+00'),
              (2, 'EU', 99.99, '{}', NULL, '2026-03-01 11:00:00+00'),
              (3, 'EU', 0.01, NULL, '{"lines": 1}', '2026-03-01 11:00:00+00'),
              (4, 'US', 5.00, NULL, NULL, '2026-03-01 12:00:00+00');
            """)
        try """
            name: orders-export
            database: ${DATABASE_URL}
            vars: {region: "'EU'"}
            source:
              type: postgres
              database: ${DATABASE_URL}
              query: |
                SELECT id, total, tags, details, updated_at
                FROM orders
                WHERE region = :region
              incremental: {column: updated_at, tie_breaker: id}
              fetch_size: 2
            sink:
              type: file
              path: out/orders.ndjson
            """.write(toFile: directory + "/orders.yaml", atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        db?.drop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func run(_ extra: [String] = []) throws -> (CommandResult, [[String: Any]]) {
        let r = try Command.run(TestEnvironment.etlBinary, ["run", directory + "/orders.yaml"] + extra,
                                environment: ["DATABASE_URL": db.url], timeout: 60)
        let text = (try? String(contentsOfFile: directory + "/out/orders.ndjson", encoding: .utf8)) ?? ""
        let rows = text.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        return (r, rows)
    }

    func testIncrementalExportReadsOnlyChanges() throws {
        let (first, rows) = try run()
        XCTAssertEqual(first.exitCode, 0, first.output)
        XCTAssertEqual(rows.map { $0["id"] as? Int }, [1, 2, 3])
        XCTAssertEqual(rows[0]["tags"] as? [String], ["a", "b"])
        XCTAssertEqual((rows[0]["details"] as? [String: Any])?["lines"] as? Int, 2)
        XCTAssertEqual((rows[0]["total"] as? NSNumber)?.doubleValue, 10.5)
        XCTAssertTrue(rows[1]["details"] is NSNull)
        XCTAssertEqual(try db.query("SELECT key, value FROM etl_state WHERE pipeline = 'orders-export' ORDER BY key"),
                       [["cursor", "\"2026-03-01 11:00:00+00\""], ["cursor_tie_breaker", "\"3\""]])

        // No change: nothing read, an empty file, the cursor unchanged.
        let (second, none) = try run()
        XCTAssertEqual(second.exitCode, 0, second.output)
        XCTAssertEqual(none.count, 0)
        XCTAssertTrue(second.output.contains("read=0") || second.output.contains("\"records_read\":0"), second.output)

        // A changed row and a new one tied on the cursor's timestamp are picked up; other regions are not.
        try db.query("""
            UPDATE orders SET total = 11.00, updated_at = '2026-03-02 09:00:00+00' WHERE id = 1;
            INSERT INTO orders VALUES (5, 'EU', 1.00, NULL, NULL, '2026-03-01 11:00:00+00'), (6, 'US', 1.00, NULL, NULL, '2026-03-05 00:00:00+00');
            """)
        let (third, changed) = try run()
        XCTAssertEqual(third.exitCode, 0, third.output)
        XCTAssertEqual(changed.map { $0["id"] as? Int }, [5, 1])
        XCTAssertEqual((changed[1]["total"] as? NSNumber)?.doubleValue, 11)
        XCTAssertEqual(try db.scalar("SELECT value FROM etl_state WHERE pipeline = 'orders-export' AND key = 'cursor'"),
                       "\"2026-03-02 09:00:00+00\"")
    }

    func testValidateChecksParametersAndTheQuery() throws {
        let yaml = try String(contentsOfFile: directory + "/orders.yaml", encoding: .utf8)
        try yaml.replacingOccurrences(of: ":region", with: ":regoin").write(toFile: directory + "/typo.yaml", atomically: true, encoding: .utf8)
        let typo = try Command.run(TestEnvironment.etlBinary, ["validate", directory + "/typo.yaml"], environment: ["DATABASE_URL": db.url])
        XCTAssertNotEqual(typo.exitCode, 0)
        XCTAssertTrue(typo.stdout.contains("typo.yaml:7:10:") && typo.stdout.contains("line 3, column 16: parameter :regoin has no value"), typo.output)

        try yaml.replacingOccurrences(of: "FROM orders", with: "FROM orderz").write(toFile: directory + "/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try Command.run(TestEnvironment.etlBinary, ["validate", "--check-connections", directory + "/bad.yaml"],
                                  environment: ["DATABASE_URL": db.url])
        XCTAssertNotEqual(bad.exitCode, 0)
        XCTAssertTrue(bad.stdout.contains("`query` line 2, column 6") && bad.stdout.contains("relation \"orderz\" does not exist"), bad.output)

        let good = try Command.run(TestEnvironment.etlBinary, ["validate", "--check-connections", directory + "/orders.yaml"],
                                   environment: ["DATABASE_URL": db.url])
        XCTAssertEqual(good.exitCode, 0, good.output)
    }
}
