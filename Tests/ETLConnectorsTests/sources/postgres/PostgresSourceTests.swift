import ETLConnectors
import ETLCore
import ETLPostgres
import ETLTestSupport
import XCTest

/// The postgres source against a real server: parameters, batches, incremental
/// reads and error positions.
final class PostgresSourceTests: XCTestCase {
    var db: PostgresConnection!
    var table = ""

    override func setUpWithError() throws {
        db = try TestDatabase.connect()
        table = TestDatabase.uniqueName("items")
        try db.execute("CREATE TABLE \(table) (id bigint PRIMARY KEY, name text, region text, updated_at timestamptz)")
    }

    override func tearDownWithError() throws {
        try db?.execute("DROP TABLE IF EXISTS \(table)")
        db?.close()
    }

    private func insert(_ rows: [(Int, String, String, String)]) throws {
        for (id, name, region, updated) in rows {
            try db.execute("INSERT INTO \(table) VALUES ($1, $2, $3, $4)", [.int(Int64(id)), .string(name), .string(region), .string(updated)])
        }
    }

    // MARK: named parameters

    func testNamedParametersAreBoundNotInterpolated() throws {
        try insert([(1, "a", "EU", "2026-01-01 00:00:00+00"), (2, "b", "US", "2026-01-01 00:00:00+00")])
        let nasty = "EU'; DROP TABLE \(table); --"
        let (none, _, _) = try PostgresSourceHarness.read("query: SELECT id FROM \(table) WHERE region = :region",
                                                         vars: Fields([("region", .string(nasty))]))
        XCTAssertEqual(none.count, 0, "the value is compared as data")
        XCTAssertEqual(try db.execute("SELECT count(*) FROM \(table)").value(row: 0, column: 0), .int(2), "the table is still there")

        // The same name twice is one parameter; `::` casts, strings and comments are left alone.
        let (records, _, _) = try PostgresSourceHarness.read("""
            query: |
              SELECT id, ':region' AS literal, name::text AS n -- :region in a comment
              FROM \(table) WHERE region = :region OR name = :region /* :nope */ ORDER BY id;
            """, vars: Fields([("region", "EU")]))
        XCTAssertEqual(records.map(\.fields), [Fields([("id", 1), ("literal", ":region"), ("n", "a")])])
    }

    func testNamedParametersInWhereWithTable() throws {
        try insert([(1, "a", "EU", "2026-01-01 00:00:00+00"), (2, "b", "US", "2026-01-01 00:00:00+00")])
        let (records, _, _) = try PostgresSourceHarness.read("table: \(table)\ncolumns: [id, region]\nwhere: region = :r AND id > :min",
                                                            vars: Fields([("r", "US"), ("min", 0)]))
        XCTAssertEqual(records.map(\.fields), [Fields([("id", 2), ("region", "US")])])
    }

    func testAParameterWithoutAValueIsAClearError() throws {
        XCTAssertThrowsError(try PostgresSourceHarness.read("query: |\n  SELECT 1\n  WHERE 1 = :missing")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("line 2, column 11") && text.contains(":missing has no value"), text)
        }
        XCTAssertThrowsError(try PostgresSourceHarness.read("query: SELECT $1")) { error in
            XCTAssertTrue("\(error)".contains("`$n` placeholders are not supported"), "\(error)")
        }
    }

    // MARK: batches

    func testRowsStreamInBatchesOfFetchSize() throws {
        try db.execute("INSERT INTO \(table) SELECT i, 'n' || i, 'EU', now() FROM generate_series(1, 2500) i")
        let context = SourceHarness.context()
        var sizes: [Int] = []
        var positions: [Int] = []
        try PostgresSourceHarness.source("query: SELECT id FROM \(table) ORDER BY id\nfetch_size: 1000").read(context) { batch in
            sizes.append(batch.count)
            positions += batch.records.map(\.position)
        }
        XCTAssertEqual(sizes, [1000, 1000, 500])
        XCTAssertEqual(positions, Array(0..<2500), "positions count rows")
        XCTAssertEqual(context.metrics.count("records_read"), 2500)
    }

    func testTheReadIsOneReadOnlySnapshot() throws {
        try db.execute("INSERT INTO \(table) SELECT i, 'n', 'EU', now() FROM generate_series(1, 30) i")
        let context = SourceHarness.context()
        var seen = 0
        try PostgresSourceHarness.source("table: \(table)\nfetch_size: 10").read(context) { batch in
            // Rows added while reading are not in this read's snapshot.
            if seen == 0 { try self.db.execute("INSERT INTO \(self.table) SELECT i, 'late', 'EU', now() FROM generate_series(100, 199) i") }
            seen += batch.count
        }
        XCTAssertEqual(seen, 30)
        XCTAssertThrowsError(try PostgresSourceHarness.read("query: DELETE FROM \(table) RETURNING id")) { error in
            XCTAssertTrue("\(error)".contains("syntax error"), "DECLARE takes a SELECT only: \(error)")
        }
    }

    // MARK: incremental

    func testIncrementalWithTiesOnTheCursorColumn() throws {
        let noon = "2026-03-01 12:00:00.123456+00"
        try insert([(1, "a", "EU", "2026-03-01 11:00:00+00"), (2, "b", "EU", noon), (3, "c", "EU", noon)])
        let yaml = "table: \(table)\nincremental: {column: updated_at, tie_breaker: id}\nfetch_size: 2"

        let first = try PostgresSourceHarness.read(yaml)
        XCTAssertEqual(first.records.map { $0["id"] }, [1, 2, 3])
        XCTAssertEqual(first.state, Fields([("cursor", .string("2026-03-01 12:00:00.123456+00")), ("cursor_tie_breaker", "3")]))

        // Nothing changed: nothing read, the cursor stays.
        let again = try PostgresSourceHarness.read(yaml, state: first.state)
        XCTAssertEqual(again.records.count, 0)
        XCTAssertTrue(again.state.isEmpty)

        // A row sharing the cursor's timestamp with a greater id, one a microsecond later, and
        // one with the same timestamp but a smaller id (would need a greater pair: it is not read).
        try insert([(4, "d", "EU", noon), (5, "e", "EU", "2026-03-01 12:00:00.123457+00"), (0, "z", "EU", noon)])
        try db.execute("UPDATE \(table) SET name = 'a2', updated_at = '2026-03-02 00:00:00+00' WHERE id = 1")
        let third = try PostgresSourceHarness.read(yaml, state: first.state)
        XCTAssertEqual(third.records.map { $0["id"] }, [4, 5, 1])
        XCTAssertEqual(third.records.last?["name"], "a2")
        XCTAssertEqual(third.state["cursor_tie_breaker"], "1")
    }

    func testIncrementalInitialAndQueryCursorParameter() throws {
        try insert([(1, "a", "EU", "2025-12-31 23:59:59+00"), (2, "b", "EU", "2026-01-01 00:00:00+00"), (3, "c", "US", "2026-02-01 00:00:00+00")])
        let yaml = """
            query: SELECT id, updated_at FROM \(table) WHERE region = :region AND (:cursor::timestamptz IS NULL OR updated_at >= :cursor::timestamptz)
            incremental: {column: updated_at, tie_breaker: id, initial: "2026-01-01 00:00:00+00"}
            """
        let first = try PostgresSourceHarness.read(yaml, vars: Fields([("region", "EU")]))
        XCTAssertEqual(first.records.map { $0["id"] }, [2], "initial is inclusive")
        let second = try PostgresSourceHarness.read(yaml, vars: Fields([("region", "EU")]), state: first.state)
        XCTAssertEqual(second.records.count, 0)
    }

    func testIncrementalColumnsMustBeRead() throws {
        XCTAssertThrowsError(try PostgresSourceHarness.source("table: \(table)\ncolumns: [id]\nincremental: {column: updated_at}")) { error in
            XCTAssertTrue("\(error)".contains("columns must include updated_at"), "\(error)")
        }
    }

    // MARK: errors and checks

    func testABadQueryNamesItsLineAndColumn() throws {
        let yaml = "query: |\n  SELECT id,\n         nme FROM \(table)\n"
        XCTAssertThrowsError(try PostgresSourceHarness.read(yaml)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("`query` line 2, column 8"), text)
            XCTAssertTrue(text.contains("42703") && text.contains("at: nme FROM"), text)
        }
        // validate --check-connections prepares the statement: the same error, nothing run.
        XCTAssertThrowsError(try PostgresSourceHarness.source(yaml).checkConnection()) { error in
            XCTAssertTrue("\(error)".contains("`query` line 2, column 8"), "\(error)")
        }
        // A bad `where` is pointed at inside `where`, past the generated SELECT around it.
        XCTAssertThrowsError(try PostgresSourceHarness.read("table: \(table)\nwhere: id = = 1")) { error in
            XCTAssertTrue("\(error)".contains("`where` line 1, column 6"), "\(error)")
        }
    }

    func testCheckConnectionDescribesWithoutRunning() throws {
        let source = try PostgresSourceHarness.source("query: SELECT id, name, updated_at FROM \(table) WHERE region = :region")
        try source.checkConnection()
        let columns = try XCTUnwrap(source as? PostgresSource).describeColumns()
        XCTAssertEqual(columns.map(\.name), ["id", "name", "updated_at"])
        XCTAssertEqual(columns.map(\.type), ["bigint", "text", "timestamp with time zone"])
        let noCursor = try PostgresSourceHarness.source("query: SELECT id, name FROM \(table)\nincremental: {column: updated_at, tie_breaker: id}")
        XCTAssertThrowsError(try noCursor.checkConnection()) { error in
            XCTAssertTrue("\(error)".contains("updated_at, which the query does not return (it returns id, name)"), "\(error)")
        }
        XCTAssertThrowsError(try PostgresSourceHarness.source("table: no_such_table_here").checkConnection()) { error in
            XCTAssertTrue("\(error)".contains("42P01"), "\(error)")
        }
    }
}
