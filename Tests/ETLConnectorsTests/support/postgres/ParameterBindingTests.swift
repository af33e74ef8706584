import ETLConnectors
import ETLCore
import ETLPostgres
import ETLTestSupport
import XCTest

final class ParameterBindingTests: XCTestCase {
    var db: PostgresConnection!

    override func setUpWithError() throws {
        db = try TestDatabase.connect()
        try db.execute("CREATE TEMP TABLE people (id bigint PRIMARY KEY, name text)")
    }

    override func tearDown() { db?.close() }

    func testInjectionLookingStringsAreStoredAsData() throws {
        let nasty = "Robert'); DROP TABLE people; -- \"quoted\" $1 \\ back"
        try db.execute("INSERT INTO people VALUES ($1, $2)", [1, .string(nasty)])
        let result = try db.execute("SELECT name FROM people WHERE name = $1", [.string(nasty)])
        XCTAssertEqual(result.rowCount, 1)
        XCTAssertEqual(result.value(row: 0, column: 0), .string(nasty))
        XCTAssertEqual(try db.execute("SELECT count(*) FROM people").value(row: 0, column: 0), .int(1))
    }

    func testScalarParameters() throws {
        let when = Date(timeIntervalSince1970: 1_795_399_200.123456)
        let row = try db.execute("SELECT $1::bigint, $2::bool, $3::bool, $4::float8, $5::numeric, $6::timestamptz, $7::text IS NULL, $8::jsonb ->> 'a'",
                                 [.int(-9_223_372_036_854_775_808), true, false, .double(0.1), .decimal(Decimal(string: "12.3400")!),
                                  .timestamp(when), .null, .object(Fields([("a", "x\"y")]))])
        XCTAssertEqual(row.value(row: 0, column: 0), .int(Int64.min))
        XCTAssertEqual(row.value(row: 0, column: 1), .bool(true))
        XCTAssertEqual(row.value(row: 0, column: 2), .bool(false))
        XCTAssertEqual(row.value(row: 0, column: 3), .double(0.1))
        XCTAssertEqual(row.value(row: 0, column: 4), .decimal(Decimal(string: "12.34")!))
        guard case .timestamp(let back) = row.value(row: 0, column: 5) else { return XCTFail("not a timestamp") }
        XCTAssertEqual(back.timeIntervalSince1970, when.timeIntervalSince1970, accuracy: 0.000_001)
        XCTAssertEqual(row.value(row: 0, column: 6), .bool(true))
        XCTAssertEqual(row.value(row: 0, column: 7), .string("x\"y"))
    }

    func testWholeDoubleBindsToBigint() throws {
        XCTAssertEqual(try db.execute("SELECT $1::bigint", [.double(42)]).value(row: 0, column: 0), .int(42))
    }

    func testArraysWorkWithAny() throws {
        for (id, name) in [(1, "a,b"), (2, "quote\"d"), (3, "back\\slash"), (4, "NULL"), (5, "plain")] {
            try db.execute("INSERT INTO people VALUES ($1, $2)", [.int(Int64(id)), .string(name)])
        }
        let byName = try db.execute("SELECT id FROM people WHERE name = ANY($1::text[]) ORDER BY id",
                                    [.array(["a,b", "quote\"d", "back\\slash", "NULL", .null])])
        XCTAssertEqual((0..<byName.rowCount).map { byName.value(row: $0, column: 0) }, [1, 2, 3, 4])
        let byID = try db.execute("SELECT name FROM people WHERE id = ANY($1::bigint[]) ORDER BY id", [.array([5, 1])])
        XCTAssertEqual(byID.rows().map { $0["name"] }, [.string("a,b"), .string("plain")])
        let empty = try db.execute("SELECT count(*) FROM people WHERE id = ANY($1::bigint[])", [.array([])])
        XCTAssertEqual(empty.value(row: 0, column: 0), .int(0))
        let nested = try db.execute("SELECT $1::int[]", [.array([[1, 2], [3, 4]])])
        XCTAssertEqual(nested.value(row: 0, column: 0), [[1, 2], [3, 4]], "an array parameter reads back as the same array")
    }

    func testNulByteInParameterIsAnErrorNotATruncation() throws {
        XCTAssertThrowsError(try db.execute("SELECT $1::text", [.string("a\u{0}b")])) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlstate, "22021")
        }
        XCTAssertTrue(db.ping())
    }

    func testAffectedRowsAndColumns() throws {
        let insert = try db.execute("INSERT INTO people VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        XCTAssertEqual(insert.affectedRows, 3)
        let update = try db.execute("UPDATE people SET name = upper(name) WHERE id >= $1", [2])
        XCTAssertEqual(update.affectedRows, 2)
        let select = try db.execute("SELECT id, name AS \"Display Name\" FROM people ORDER BY id")
        XCTAssertEqual(select.columns, ["id", "Display Name"])
        XCTAssertEqual(select.rowCount, 3)
        XCTAssertEqual(select.rows()[2], Fields([("id", 3), ("Display Name", "C")]))
    }

    func testSimpleExecuteRunsAScript() throws {
        let table = TestDatabase.uniqueName("script")
        try db.simpleExecute("""
            CREATE TEMP TABLE \(table) (n int);
            INSERT INTO \(table) VALUES (1);
            INSERT INTO \(table) VALUES (2);
            """)
        XCTAssertEqual(try db.execute("SELECT sum(n) FROM \(table)").value(row: 0, column: 0), .int(3))
    }

    func testServerVersionAndPing() throws {
        XCTAssertGreaterThan(db.serverVersion, 100_000)
        XCTAssertTrue(db.ping())
        db.close()
        XCTAssertFalse(db.ping())
        XCTAssertThrowsError(try db.execute("SELECT 1"))
    }

    func testQuoteIdentifier() throws {
        XCTAssertEqual(PostgresConnection.quoteIdentifier("public.orders"), "\"public\".\"orders\"")
        XCTAssertEqual(PostgresConnection.quoteIdentifier("we\"ird"), "\"we\"\"ird\"")
        XCTAssertEqual(PostgresConnection.quoteIdentifierPart("a.b"), "\"a.b\"")
        let name = "Mixed \"Case\" table"
        try db.execute("CREATE TEMP TABLE \(PostgresConnection.quoteIdentifier(name)) (x int)")
        try db.execute("INSERT INTO \(PostgresConnection.quoteIdentifier(name)) VALUES (1)")
        XCTAssertEqual(try db.execute("SELECT x FROM \(PostgresConnection.quoteIdentifier(name))").rowCount, 1)
    }
}

final class DecimalParameterTests: XCTestCase {
    /// Decimals reach the server with every digit, whatever their size and scale.
    func testDecimalsBindExactly() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let texts = ["0", "1", "-1", "0.5", "-0.000001", "12.3400", "123456789012345678", "18446744073709551615",
                     "18446744073709551616", "123456789012345678901234567890", "-98765.4321", "1e25", "0.0000000000000000000001"]
        for text in texts {
            let value = Decimal(string: text)!
            let back = try db.execute("SELECT $1::numeric = $2::numeric, $1::numeric", [.decimal(value), .string(text)])
            XCTAssertEqual(back.value(row: 0, column: 0), .bool(true), text)
            XCTAssertEqual(back.value(row: 0, column: 1), .decimal(value), text)
        }
    }
}
