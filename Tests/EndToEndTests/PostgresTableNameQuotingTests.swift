import Foundation
import XCTest

/// Table names are used as written (quoted part by part) in the SQL; the
/// catalogue lookups (`$1::regclass`) used the raw text, which PostgreSQL folds
/// to lower case and parses itself, so `table: Items` or a name with a quote
/// failed ("relation does not exist", "invalid name syntax") while the SQL was fine.
final class PostgresTableNameQuotingTests: XCTestCase {
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

    /// The ledger table is created by etl itself, then looked up by name.
    func testMixedCaseAndQuotedNamesWorkForTheSinkAndTheLedger() throws {
        try db.query(#"CREATE TABLE "Items" (id int PRIMARY KEY, "Name" text)"#)
        try #"[{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]"#.write(toFile: directory + "/in.json", atomically: true, encoding: .utf8)
        try """
            name: quoting
            database: ${DATABASE_URL}
            ledger: {table: 'Run"Log'}
            source: {type: file, path: in.json}
            sink: {type: postgres, database: "${DATABASE_URL}", table: Items, key: [id], columns: {id: id, Name: name}}
            """.write(toFile: directory + "/p.yaml", atomically: true, encoding: .utf8)
        let r = try Command.run(TestEnvironment.etlBinary, ["run", directory + "/p.yaml"],
                                environment: ["DATABASE_URL": db.url], timeout: 30)
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try db.scalar(#"SELECT string_agg("Name", ',' ORDER BY id) FROM "Items""#), "a,b")
        XCTAssertEqual(try db.scalar(#"SELECT status FROM "Run""Log""#), "completed")
    }
}
