import Foundation
import XCTest

/// The `postgres` transform (row-locked relative updates, conditional rejects, values
/// merged into the record) and the postgres sink's `on_conflict: record` and `when:`,
/// through the built binary: a `file` source, real tables, rows checked with psql.
final class PostgresWriteTransformTests: XCTestCase {
    var db: TestDatabase!
    var directory = ""

    override func setUpWithError() throws {
        db = try TestDatabase()
        directory = TestEnvironment.temporaryDirectory()
        try db.query("""
            CREATE TABLE stock (sku text PRIMARY KEY, qty int NOT NULL DEFAULT 0, note text);
            CREATE TABLE moves (sku text, before int, after int, note text);
            INSERT INTO stock (sku, qty) VALUES ('A', 5);
            """)
    }

    override func tearDown() {
        db?.drop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func run(_ yaml: String, _ records: String, command: String = "run") throws -> CommandResult {
        try records.write(toFile: directory + "/in.json", atomically: true, encoding: .utf8)
        try yaml.write(toFile: directory + "/p.yaml", atomically: true, encoding: .utf8)
        return try Command.run(TestEnvironment.etlBinary, [command, directory + "/p.yaml"],
                               environment: ["DATABASE_URL": db.url], timeout: 30)
    }

    private func pipeline(_ transform: String, sink: String? = nil) -> String {
        """
        name: moves
        source: {type: file, path: in.json}
        transforms:
          - type: postgres
            database: ${DATABASE_URL}
            table: stock
        \(transform.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        sinks:
          - \(sink ?? "{type: postgres, database: \"${DATABASE_URL}\", table: moves, mode: insert, columns: {sku: sku, before: before, after: after, note: note}}")
        """
    }

    private let relative = """
        key: {sku: sku}
        set: {qty: 'coalesce(current.qty, 0) + delta'}
        reject_when: new.qty < 0
        reject_message: '"stock cannot be negative: " + to_string(new.qty)'
        output: {before: current.qty, after: new.qty}
        """

    func testARelativeUpdateSeesTheEarlierRecordsOfTheRunAndANegativeResultIsRefused() throws {
        let r = try run(pipeline(relative + "\nmissing: insert"),
                        #"[{"sku":"A","delta":3},{"sku":"A","delta":-10},{"sku":"A","delta":-8},{"sku":"B","delta":2}]"#)
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stderr.contains("record 2") && r.stderr.contains("stock cannot be negative: -2"), r.stderr)
        XCTAssertEqual(try db.query("SELECT sku, qty FROM stock ORDER BY sku"), [["A", "0"], ["B", "2"]])
        XCTAssertEqual(try db.query("SELECT sku, before, after FROM moves ORDER BY sku, before"),
                       [["A", "5", "8"], ["A", "8", "0"], ["B", "", "2"]])
    }

    func testTheRejectCarriesTheCurrentAndAttemptedRowToTheRejectsSink() throws {
        let yaml = pipeline(relative) + """

            rejects:
              sink: {type: file, path: rejects.ndjson, format: ndjson}
            """
        let r = try run(yaml, #"[{"sku":"A","delta":-6}]"#)
        XCTAssertEqual(r.exitCode, 0, r.output)
        let text = (try? String(contentsOfFile: directory + "/rejects.ndjson", encoding: .utf8)) ?? ""
        XCTAssertTrue(text.contains(#""current":{"#) && text.contains(#""qty":5"#) && text.contains(#""qty":-1"#), text)
        XCTAssertEqual(try db.scalar("SELECT qty FROM stock WHERE sku = 'A'"), "5")
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM moves"), "0")
    }

    func testMissingRowsAreRejectedOrPassedAsConfigured() throws {
        let r = try run(pipeline(relative), #"[{"sku":"Z","delta":1}]"#)
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stderr.contains("no stock row with sku = Z"), r.stderr)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM stock"), "1")

        let passed = try run(pipeline(relative + "\nmissing: pass"), #"[{"sku":"Z","delta":1,"note":"unknown"}]"#)
        XCTAssertEqual(passed.exitCode, 0, passed.output)
        XCTAssertEqual(try db.query("SELECT sku, before, after, note FROM moves"), [["Z", "", "", "unknown"]])
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM stock"), "1")
    }

    func testAValueTheColumnRefusesRejectsOnlyItsRecord() throws {
        let r = try run(pipeline("key: {sku: sku}\nset: {qty: delta}\noutput: {after: new.qty}"),
                        #"[{"sku":"A","delta":"many"},{"sku":"A","delta":7}]"#)
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stderr.contains("record 1") && r.stderr.contains("invalid input syntax"), r.stderr)
        XCTAssertEqual(try db.scalar("SELECT qty FROM stock WHERE sku = 'A'"), "7")
    }

    func testWithoutAPostgresSinkOnTheSameDatabaseTheRunFailsAndSaysWhy() throws {
        let r = try run(pipeline(relative, sink: "{type: stdout}"), #"[{"sku":"A","delta":1}]"#)
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertTrue(r.stderr.contains("no transaction to write in") && r.stderr.contains("postgres` sink on the same `database`"), r.stderr)
        XCTAssertEqual(try db.scalar("SELECT qty FROM stock WHERE sku = 'A'"), "5")
    }

    func testAFailingRunRollsBackTheTransformsWrites() throws {
        // The sink's table lacks a column: the run fails and the stock change is undone with it.
        let r = try run(pipeline(relative, sink: "{type: postgres, database: \"${DATABASE_URL}\", table: moves, mode: insert, columns: {sku: sku, missing_column: after}}"),
                        #"[{"sku":"A","delta":1}]"#)
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertEqual(try db.scalar("SELECT qty FROM stock WHERE sku = 'A'"), "5")
    }

    func testValidateNamesTheTransformsBadOptions() throws {
        let r = try run(pipeline("key: {sku: sku}\nset: {qty: delta +}"), "[]", command: "validate")
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stdout.contains("p.yaml:8:") && r.stdout.contains("'delta +'"), r.stdout)
        let key = try run(pipeline("key: {sku: sku}\nset: {sku: delta}"), "[]", command: "validate")
        XCTAssertEqual(key.exitCode, 2, key.output)
        XCTAssertTrue(key.stdout.contains("set names the key column 'sku'"), key.stdout)
    }

    // MARK: postgres sink on_conflict: record and when

    func testOnConflictRecordWritesAPendingConflictWithDefaultsAndLeavesTheRow() throws {
        try db.query(try String(contentsOfFile: TestEnvironment.repoRoot + "/sql/sync-conflicts.sql", encoding: .utf8))
        try db.query("""
            CREATE TABLE people (id int PRIMARY KEY, name text, updated_at timestamptz, deleted_at timestamptz);
            INSERT INTO people VALUES (1, 'Local', '2024-05-03T00:00:00Z', NULL), (2, 'Old', '2024-05-01T00:00:00Z', NULL);
            """)
        let yaml = """
            name: people
            source: {type: file, path: in.json}
            transforms:
              - type: route
                routes: [{name: gone, when: event == "deleted"}]
                default: upsert
            sinks:
              - {type: postgres, route: upsert, database: "${DATABASE_URL}", table: people, key: [id], columns: {id: id, name: name, updated_at: at},
                 newer_than: updated_at, on_conflict: record}
              - {type: postgres, route: gone, database: "${DATABASE_URL}", table: people, mode: soft_delete, key: [id], columns: {id: id, updated_at: at},
                 newer_than: updated_at, on_conflict: record, conflicts: {source: hr}}
            """
        let r = try run(yaml, #"[{"id":1,"name":"Remote","at":"2024-05-02T00:00:00Z","event":"updated"},{"id":2,"name":"New","at":"2024-05-02T00:00:00Z","event":"updated"},{"id":1,"at":"2024-05-02T12:00:00Z","event":"deleted"}]"#)
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stderr.contains("recorded in sync_conflicts"), r.stderr)
        XCTAssertEqual(try db.query("SELECT id, name, deleted_at IS NULL FROM people ORDER BY id"), [["1", "Local", "t"], ["2", "New", "t"]])
        XCTAssertEqual(try db.query("""
            SELECT record_type, record_id, coalesce(source, '-'), event, status, local_data->>'name', remote_data->>'name', local_timestamp, remote_timestamp
            FROM sync_conflicts ORDER BY id
            """), [
            ["people", "1", "-", "updated", "pending", "Local", "Remote", "2024-05-03 00:00:00+00", "2024-05-02 00:00:00+00"],
            ["people", "1", "hr", "deleted", "pending", "Local", "", "2024-05-03 00:00:00+00", "2024-05-02 12:00:00+00"],
        ])
    }

    func testOnConflictRecordWithoutNewerThanIsAConfigurationError() throws {
        let yaml = """
            name: people
            source: {type: file, path: in.json}
            sink: {type: postgres, database: "${DATABASE_URL}", table: people, key: [id], columns: {id: id}, on_conflict: record}
            """
        let r = try run(yaml, "[]", command: "validate")
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stdout.contains("on_conflict: record needs newer_than"), r.stdout)
    }

    func testASinksWhenWritesOnlyTheRecordsForWhichItHolds() throws {
        let yaml = """
            name: moves
            source: {type: file, path: in.json}
            sink: {type: postgres, database: "${DATABASE_URL}", table: moves, mode: insert, when: after > 1, columns: {sku: sku, after: after}}
            """
        let r = try run(yaml, #"[{"sku":"A","after":1},{"sku":"B","after":2},{"sku":"C","after":"x"}]"#)
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try db.query("SELECT sku FROM moves"), [["B"]])
        XCTAssertTrue(r.stderr.contains("record 3") && r.stderr.contains("when:"), r.stderr)
    }
}
