import ETLConnectors
import ETLCore
import ETLPostgres
import ETLTestSupport
import XCTest

final class TypeMappingTests: XCTestCase {
    var db: PostgresConnection!

    override func setUpWithError() throws { db = try TestDatabase.connect() }
    override func tearDown() { db?.close() }

    private func one(_ sql: String, _ params: [Value] = []) throws -> Value {
        try db.execute(sql, params).value(row: 0, column: 0)
    }

    func testIntegers() throws {
        XCTAssertEqual(try one("SELECT 9223372036854775807::bigint"), .int(Int64.max))
        XCTAssertEqual(try one("SELECT (-32768)::smallint"), .int(-32768))
        XCTAssertEqual(try one("SELECT 2147483647::int"), .int(2_147_483_647))
    }

    func testNumericIsExact() throws {
        let thirtyDigits = "123456789012345678901234567890"
        XCTAssertEqual(try one("SELECT \(thirtyDigits)::numeric"), .decimal(Decimal(string: thirtyDigits)!))
        let fractional = "12345678901234567890.1234567890"
        let value = try one("SELECT $1::numeric", [.string(fractional)])
        XCTAssertEqual(value, .decimal(Decimal(string: fractional)!))
        XCTAssertEqual(value.text, fractional.replacingOccurrences(of: "0$", with: "", options: .regularExpression))
        // A numeric round-trips through a parameter unchanged.
        XCTAssertEqual(try one("SELECT $1::numeric = \(thirtyDigits)", [.decimal(Decimal(string: thirtyDigits)!)]), .bool(true))
        // Too long for Decimal: kept as exact text rather than rounded.
        let fortyDigits = String(repeating: "1234567890", count: 4) + ".5"
        XCTAssertEqual(try one("SELECT \(fortyDigits)::numeric"), .string(fortyDigits))
        XCTAssertEqual(try one("SELECT 'NaN'::numeric"), .string("NaN"))
    }

    func testFloats() throws {
        XCTAssertEqual(try one("SELECT 0.1::float8"), .double(0.1))
        XCTAssertEqual(try one("SELECT 1.5::real"), .double(1.5))
    }

    func testTimestamps() throws {
        let expected = Date(timeIntervalSince1970: 1_795_399_200.123456)   // 2026-11-23 02:00:00.123456 UTC
        for sql in ["SELECT '2026-11-23 02:00:00.123456'::timestamp",
                    "SELECT '2026-11-23 02:00:00.123456+00'::timestamptz",
                    "SELECT '2026-11-23 03:30:00.123456+01:30'::timestamptz"] {
            guard case .timestamp(let date) = try one(sql) else { return XCTFail("\(sql) is not a timestamp") }
            XCTAssertEqual(date.timeIntervalSince1970, expected.timeIntervalSince1970, accuracy: 0.000_001, sql)
        }
        // A timestamp parameter keeps its microseconds.
        let back = try one("SELECT $1::timestamptz", [.timestamp(expected)])
        guard case .timestamp(let date) = back else { return XCTFail("not a timestamp") }
        XCTAssertEqual(date.timeIntervalSince1970, expected.timeIntervalSince1970, accuracy: 0.000_001)
        XCTAssertEqual(try one("SELECT $1::timestamptz::text", [.timestamp(expected)]), .string("2026-11-23 02:00:00.123456+00"))
        XCTAssertEqual(try one("SELECT 'infinity'::timestamptz"), .string("infinity"))
        guard case .timestamp(let ancient) = try one("SELECT '0044-03-15 12:00:00 BC'::timestamp") else { return XCTFail("BC") }
        XCTAssertEqual(try one("SELECT $1::timestamp::text", [.timestamp(ancient)]), .string("0044-03-15 12:00:00 BC"))
    }

    func testBoolNullTextJSON() throws {
        let row = try db.execute("""
            SELECT true, false, NULL::int, 'Grüße, 世界 🌍'::text, 'v'::varchar, 'x'::char(3), 'n'::name,
                   '{"a": [1, 2]}'::jsonb, '{"b":1}'::json, '2026-01-02'::date, '1 day'::interval
            """)
        XCTAssertEqual(row.value(row: 0, column: 0), .bool(true))
        XCTAssertEqual(row.value(row: 0, column: 1), .bool(false))
        XCTAssertEqual(row.value(row: 0, column: 2), .null)
        XCTAssertTrue(row.isNull(row: 0, column: 2))
        XCTAssertEqual(row.value(row: 0, column: 3), .string("Grüße, 世界 🌍"))
        XCTAssertEqual(row.value(row: 0, column: 4), .string("v"))
        XCTAssertEqual(row.value(row: 0, column: 5), .string("x  "))
        XCTAssertEqual(row.value(row: 0, column: 6), .string("n"))
        // json and jsonb are parsed: a record read from a column holds the object, not its text.
        XCTAssertEqual(row.value(row: 0, column: 7), ["a": [1, 2]])
        XCTAssertEqual(row.value(row: 0, column: 8), ["b": 1])
        XCTAssertEqual(row.value(row: 0, column: 9), .string("2026-01-02"))
        XCTAssertEqual(row.value(row: 0, column: 10), .string("1 day"))
        XCTAssertEqual(row.value(row: 5, column: 0), .null, "out of range reads as null, never crashes")
    }
}
