import ETLConnectors
import ETLCore
import ETLPostgres
import ETLTestSupport
import XCTest

/// Every PostgreSQL type the source promises, read from a real table into `Value`s.
final class PostgresSourceTypesTests: XCTestCase {
    var db: PostgresConnection!
    var table = ""

    override func setUpWithError() throws {
        db = try TestDatabase.connect()
        table = TestDatabase.uniqueName("types")
        try db.simpleExecute("""
            CREATE TABLE \(table) (
              i2 smallint, i4 integer, i8 bigint, n numeric, f4 real, f8 double precision, b boolean,
              t text, vc varchar(10), ts timestamp, tstz timestamptz, d date, j json, jb jsonb,
              ia int[], ta text[], na numeric[], ja jsonb[], grid int[][], u uuid);
            INSERT INTO \(table) VALUES (
              -32768, 2147483647, 9223372036854775807, 12345678901234567890.123456789, 1.5, 0.1, true,
              'Grüße, 世界 🌍', 'v', '2026-11-23 02:00:00.123456', '2026-11-23 03:30:00.123456+01:30', '2026-01-02',
              '{"b": 1}', '{"a": [1, 2.50, "x", null, true], "o": {"k": "v"}}',
              '{1,NULL,-3}', '{"a b","c\\"d","NULL",NULL,"",x}', '{1.10,2}', ARRAY['{"k": 1}'::jsonb, '[2]'], '{{1,2},{3,4}}',
              'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
            INSERT INTO \(table) (i8) VALUES (NULL);
            """)
    }

    override func tearDownWithError() throws {
        try db?.execute("DROP TABLE IF EXISTS \(table)")
        db?.close()
    }

    func testEveryTypeMapsWithoutLoss() throws {
        let (records, _, _) = try PostgresSourceHarness.read("table: \(table)")
        XCTAssertEqual(records.count, 2)
        let r = records[0]
        XCTAssertEqual(r["i2"], .int(-32768))
        XCTAssertEqual(r["i4"], .int(2_147_483_647))
        XCTAssertEqual(r["i8"], .int(Int64.max))
        XCTAssertEqual(r["n"], .decimal(Decimal(string: "12345678901234567890.123456789")!))
        XCTAssertEqual(r["f4"], .double(1.5))
        XCTAssertEqual(r["f8"], .double(0.1))
        XCTAssertEqual(r["b"], .bool(true))
        XCTAssertEqual(r["t"], .string("Grüße, 世界 🌍"))
        XCTAssertEqual(r["vc"], .string("v"))
        let instant = 1_795_399_200.123456   // 2026-11-23 02:00:00.123456 UTC
        for name in ["ts", "tstz"] {
            guard case .timestamp(let date)? = r[name] else { return XCTFail("\(name) is \(String(describing: r[name]))") }
            XCTAssertEqual(date.timeIntervalSince1970, instant, accuracy: 0.000_001, name)
        }
        XCTAssertEqual(r["d"], .string("2026-01-02"))
        XCTAssertEqual(r["j"], ["b": 1])
        XCTAssertEqual(r["jb"], .object(Fields([("a", .array([1, .decimal(Decimal(string: "2.50")!), "x", .null, true])),
                                                ("o", ["k": "v"])])))
        XCTAssertEqual(r["ia"], [1, .null, -3])
        XCTAssertEqual(r["ta"], ["a b", "c\"d", "NULL", .null, "", "x"])
        XCTAssertEqual(r["na"], [.decimal(Decimal(string: "1.10")!), .decimal(2)])
        XCTAssertEqual(r["ja"], [["k": 1], [2]])
        XCTAssertEqual(r["grid"], [[1, 2], [3, 4]])
        XCTAssertEqual(r["u"], .string("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
        // NULL in every column of the second row.
        XCTAssertEqual(records[1].fields.values, Array(repeating: .null, count: 20))
        XCTAssertEqual(records[1].fields.keys, r.fields.keys, "column order kept")
    }

    func testColumnsChooseAndOrder() throws {
        let (records, _, _) = try PostgresSourceHarness.read("table: \(table)\ncolumns: [u, i4]\nwhere: i4 IS NOT NULL")
        XCTAssertEqual(records.map(\.fields.keys), [["u", "i4"]])
    }

    func testArrayTextEdgeCases() throws {
        // Non-default lower bounds and empty arrays; an unknown array type stays text.
        let (records, _, _) = try PostgresSourceHarness.read("""
            query: "SELECT '[0:1]={7,8}'::int[] AS shifted, '{}'::text[] AS empty, ARRAY['1 day'::interval] AS other"
            """)
        XCTAssertEqual(records.first?["shifted"], [7, 8])
        XCTAssertEqual(records.first?["empty"], .array([]))
        XCTAssertEqual(records.first?["other"], .string("{\"1 day\"}"))
    }
}
