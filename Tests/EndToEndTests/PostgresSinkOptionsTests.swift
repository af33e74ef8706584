import Foundation
import XCTest

/// The postgres sink's conflict, soft-delete and undelete options, through the
/// built binary: a `file` source, a real table, rows checked with psql.
final class PostgresSinkOptionsTests: XCTestCase {
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

    private func run(_ yaml: String, _ records: String) throws -> CommandResult {
        try db.runPipeline(yaml, named: "people.yaml", files: ["people.json": records], in: directory)
    }

    private func person(_ id: Int, _ name: String, _ updatedAt: String?) -> String {
        #"{"id": \#(id), "name": "\#(name)", "updated_at": \#(updatedAt.map { "\"\($0)\"" } ?? "null")}"#
    }

    /// An upsert sink with the conflict rule and a ledger recording `conflicts`.
    private func newerWinsPipeline(_ extra: String = "", rejects: String = "") -> String {
        """
        name: people
        database: ${DATABASE_URL}
        ledger: {table: runs, columns: {conflicts: conflicts, rejected: records_rejected, written: records_written}}
        source: {type: file, path: people.json}
        sink:
          type: postgres
          database: ${DATABASE_URL}
          table: people
          key: [id]
          columns: {id: id, name: name, updated_at: updated_at}
          newer_than: updated_at
        \(extra.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        \(rejects)
        """
    }

    private func createPeople() throws {
        try db.query("""
            CREATE TABLE people (id int PRIMARY KEY, name text, updated_at timestamptz, synced_at timestamptz,
                                 deleted_at timestamptz, deleted_from text, deleted_code int)
            """)
    }

    // MARK: values the target cannot hold

    func testANulByteIsRejectedPerRecordAndArraysAndObjectsLoadIntoJsonb() throws {
        try db.query("CREATE TABLE items (id int PRIMARY KEY, note text, attrs jsonb, tags text[])")
        let yaml = """
        name: items
        source: {type: file, path: people.json}
        sink:
          type: postgres
          database: ${DATABASE_URL}
          table: items
          key: [id]
          columns: {id: id, note: note, attrs: attrs, tags: tags}
        """
        let records = #"""
        [{"id": 1, "note": "fine", "attrs": [1, 2, {"a": "b"}], "tags": ["x", "y"]},
         {"id": 2, "note": "bad\u0000byte", "attrs": {"k": true}},
         {"id": 3, "note": "ok", "attrs": {"deep": ["v"]}},
         {"id": 4, "note": "ok", "attrs": "not json"},
         {"id": 5, "note": "ok", "attrs": {"nul": "a\u0000b"}}]
        """#
        let r = try run(yaml, records)
        XCTAssertEqual(r.exitCode, 0, "one bad record does not fail the run: \(r.output)")
        XCTAssertEqual(try db.query("SELECT id, note, attrs::text, coalesce(array_to_string(tags, ','), '') FROM items ORDER BY id"),
                       [["1", "fine", #"[1, 2, {"a": "b"}]"#, "x,y"], ["3", "ok", #"{"deep": ["v"]}"#, ""]])
        XCTAssertTrue(r.stderr.contains("record 2 (the 2nd from the source) rejected by postgres sink: note contains a NUL character"), r.stderr)
        XCTAssertTrue(r.stderr.contains("record 4 (the 4th from the source) rejected by postgres sink: attrs must be JSON for jsonb"), r.stderr)
        XCTAssertTrue(r.stderr.contains("record 5 (the 5th from the source) rejected by postgres sink: attrs contains a NUL character"), r.stderr)
        XCTAssertFalse(r.output.contains("COPY"), "the database never saw the bad values: \(r.output)")
    }

    // MARK: on_conflict

    func testSkippedConflictsAreCountedAndNamedInOneWarning() throws {
        try createPeople()
        // Rows 1…7 were edited locally on June 1st; row 9 is old.
        try db.query("""
            INSERT INTO people (id, name, updated_at) SELECT i, 'local', '2024-06-01T00:00:00Z' FROM generate_series(1, 7) i;
            INSERT INTO people (id, name, updated_at) VALUES (9, 'old', '2024-01-01T00:00:00Z')
            """)
        let records = (1...6).map { person($0, "remote", "2024-05-01T00:00:00Z") }  // older: conflicts
            + [person(7, "remote", "2024-06-01T00:00:00Z"),   // same instant: the same version, no conflict
               person(8, "new", "2024-05-01T00:00:00Z"),       // new row
               person(9, "remote", "2024-05-01T00:00:00Z")]    // newer: applied
        let r = try run(newerWinsPipeline("synced_at: synced_at"), "[" + records.joined(separator: ",") + "]")
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try db.query("SELECT id, name FROM people ORDER BY id").map { $0.joined(separator: ":") },
                       ["1:local", "2:local", "3:local", "4:local", "5:local", "6:local", "7:local", "8:new", "9:remote"])
        XCTAssertEqual(try db.query("SELECT conflicts, rejected, written FROM runs"), [["6", "0", "9"]])
        let warnings = r.stderr.split(separator: "\n").filter { $0.contains("records not applied") }
        XCTAssertEqual(warnings.count, 1, r.stderr)
        let warning = String(warnings.first ?? "")
        XCTAssertTrue(warning.contains("6 records not applied to people: the row is newer (newer_than: updated_at)"), warning)
        XCTAssertTrue(warning.contains("id=1; id=2; id=3; id=4; id=5 …"), warning)
        XCTAssertFalse(warning.contains("id=6"), warning)
    }

    func testRejectedConflictsGoToTheRejectsSinkAndLeaveTheRowAlone() throws {
        try createPeople()
        try db.query("""
            CREATE TABLE sync_conflicts (id serial PRIMARY KEY, record_id text, remote_name text, remote_timestamp timestamptz,
                                         reason text, run_id text, status text NOT NULL DEFAULT 'pending',
                                         created_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO people (id, name, updated_at) VALUES (1, 'local', '2024-06-01T00:00:00Z'), (2, 'old', '2024-01-01T00:00:00Z')
            """)
        let rejects = """
            rejects:
              sink:
                type: postgres
                database: ${DATABASE_URL}
                table: sync_conflicts
                mode: insert
                columns: {record_id: id, remote_name: name, remote_timestamp: updated_at, reason: _reasons, run_id: _run_id}
            """
        let records = [person(1, "remote", "2024-05-01T00:00:00Z"), person(2, "remote", "2024-05-01T00:00:00Z")]
        let r = try run(newerWinsPipeline("on_conflict: reject\nsynced_at: synced_at", rejects: rejects),
                        "[" + records.joined(separator: ",") + "]")
        XCTAssertEqual(r.exitCode, 0, r.output)
        // The conflicting row is untouched, not even marked as synced.
        XCTAssertEqual(try db.query("SELECT id, name, synced_at IS NOT NULL FROM people ORDER BY id"),
                       [["1", "local", "f"], ["2", "remote", "t"]])
        let stored = try db.query("SELECT record_id, remote_name, remote_timestamp, reason, status, run_id <> '' FROM sync_conflicts")
        XCTAssertEqual(stored.count, 1)
        XCTAssertEqual(stored.first?[0...2], ["1", "remote", "2024-05-01 00:00:00+00"])
        XCTAssertTrue(stored.first?[3].contains("row is newer (updated_at 2024-06-01 00:00:00+00) than the record (2024-05-01 00:00:00+00)") == true,
                      "\(stored)")
        XCTAssertEqual(stored.first?[4...5], ["pending", "t"])
        XCTAssertEqual(try db.query("SELECT conflicts, rejected, written FROM runs"), [["1", "1", "1"]])
        XCTAssertTrue(r.stderr.contains("row is newer (updated_at 2024-06-01 00:00:00+00)"), r.stderr)
    }

    func testWithoutNewerThanNothingIsAConflict() throws {
        try createPeople()
        try db.query("INSERT INTO people (id, name, updated_at) VALUES (1, 'local', '2024-06-01T00:00:00Z')")
        let yaml = """
            name: people
            database: ${DATABASE_URL}
            ledger: {table: runs, columns: {conflicts: conflicts}}
            source: {type: file, path: people.json}
            sink: {type: postgres, database: "${DATABASE_URL}", table: people, key: [id], columns: {id: id, name: name, updated_at: updated_at}}
            """
        let r = try run(yaml, "[" + person(1, "remote", "2024-05-01T00:00:00Z") + "]")
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try db.scalar("SELECT name FROM people"), "remote")
        XCTAssertEqual(try db.scalar("SELECT conflicts FROM runs"), "0")
    }

    // MARK: soft_delete_set

    func testSoftDeleteSetsTheExtraColumnsOnlyOnRowsItDeletes() throws {
        try createPeople()
        try db.query("""
            INSERT INTO people (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c');
            UPDATE people SET deleted_at = '2024-01-01T00:00:00Z', deleted_from = 'manual' WHERE id = 3
            """)
        let yaml = """
            name: people
            source: {type: file, path: people.json}
            sink:
              type: postgres
              database: ${DATABASE_URL}
              table: people
              mode: soft_delete
              key: [id]
              columns: {id: id}
              soft_delete_set: {deleted_from: "crm'; DROP TABLE people; --", deleted_code: 7}
            """
        let r = try run(yaml, #"[{"id": 1}, {"id": 3}]"#)
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try db.query("SELECT id, deleted_at IS NOT NULL, deleted_from, deleted_code FROM people ORDER BY id"), [
            ["1", "t", "crm'; DROP TABLE people; --", "7"],   // bound as a parameter, not spliced into SQL
            ["2", "f", "", ""],
            ["3", "t", "manual", ""],                          // already deleted: left as it was
        ])
    }

    func testSoftDeleteSetIsCheckedAgainstTheModeAndTheTable() throws {
        try createPeople()
        let onUpsert = """
            name: people
            source: {type: file, path: people.json}
            sink: {type: postgres, database: "${DATABASE_URL}", table: people, key: [id], columns: {id: id}, soft_delete_set: {deleted_from: crm}}
            """
        let r = try run(onUpsert, #"[{"id": 1}]"#)
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stderr.contains("soft_delete_set applies to mode soft_delete"), r.stderr)

        let unknownColumn = """
            name: people
            source: {type: file, path: people.json}
            sink: {type: postgres, database: "${DATABASE_URL}", table: people, mode: soft_delete, key: [id], columns: {id: id}, soft_delete_set: {deleted_by: crm}}
            """
        let missing = try run(unknownColumn, #"[{"id": 1}]"#)
        XCTAssertEqual(missing.exitCode, 1, missing.output)
        XCTAssertTrue(missing.stderr.contains("table people has no column 'deleted_by'"), missing.stderr)
    }

    // MARK: undelete

    private func undeletePipeline(undelete: Bool, syncedAt: Bool) -> String {
        newerWinsPipeline("undelete: \(undelete)" + (syncedAt ? "\nsynced_at: synced_at" : ""))
    }

    private func seedDeletedPeople() throws {
        try createPeople()
        try db.query("""
            INSERT INTO people (id, name, updated_at, deleted_at, deleted_from) VALUES
              (1, 'same', '2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z', 'crm'),
              (2, 'old', '2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z', 'crm'),
              (3, 'local', '2024-06-01T00:00:00Z', '2024-02-01T00:00:00Z', 'crm'),
              (4, 'alive', '2024-01-01T00:00:00Z', NULL, NULL)
            """)
    }

    private let undeleteRecords = "[" + [
        #"{"id": 1, "name": "same", "updated_at": "2024-05-01T00:00:00Z"}"#,    // re-created, same data
        #"{"id": 2, "name": "remote", "updated_at": "2024-05-01T00:00:00Z"}"#,  // re-created, changed
        #"{"id": 3, "name": "remote", "updated_at": "2024-05-01T00:00:00Z"}"#,  // the row is newer: not written
        #"{"id": 4, "name": "alive", "updated_at": "2024-01-01T00:00:00Z"}"#,   // nothing to do
    ].joined(separator: ",") + "]"

    func testUndeleteClearsTheDeletedColumnOfRowsItWrites() throws {
        for syncedAt in [false, true] {
            try seedDeletedPeople()
            let r = try run(undeletePipeline(undelete: true, syncedAt: syncedAt), undeleteRecords)
            XCTAssertEqual(r.exitCode, 0, r.output)
            XCTAssertEqual(try db.query("SELECT id, name, deleted_at IS NOT NULL FROM people ORDER BY id"),
                           [["1", "same", "f"], ["2", "remote", "f"], ["3", "local", "t"], ["4", "alive", "f"]],
                           "synced_at: \(syncedAt)")
            XCTAssertEqual(try db.query("SELECT conflicts FROM runs"), [["1"]], "synced_at: \(syncedAt)")
            try db.query("DROP TABLE people; DROP TABLE runs")
        }
    }

    func testWithoutUndeleteDeletedRowsStayDeleted() throws {
        try seedDeletedPeople()
        let r = try run(undeletePipeline(undelete: false, syncedAt: true), undeleteRecords)
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try db.query("SELECT id, name, deleted_at IS NOT NULL FROM people ORDER BY id"),
                       [["1", "same", "t"], ["2", "remote", "t"], ["3", "local", "t"], ["4", "alive", "f"]])
    }

    func testUndeleteNeedsAnUpsertOrUpdateSink() throws {
        try createPeople()
        let yaml = """
            name: people
            source: {type: file, path: people.json}
            sink: {type: postgres, database: "${DATABASE_URL}", table: people, mode: soft_delete, key: [id], columns: {id: id}, undelete: true}
            """
        let r = try run(yaml, #"[{"id": 1}]"#)
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stderr.contains("undelete applies to modes upsert and update"), r.stderr)
    }
}
