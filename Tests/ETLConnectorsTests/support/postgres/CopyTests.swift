import ETLConnectors
import ETLCore
import ETLPostgres
import ETLTestSupport
import XCTest

final class CopyTests: XCTestCase {
    var db: PostgresConnection!

    override func setUpWithError() throws {
        db = try TestDatabase.connect()
        try db.execute("CREATE TEMP TABLE loaded (id bigint, name text, amount numeric, seen timestamptz, ok bool, tags text[], doc jsonb)")
    }

    override func tearDown() { db?.close() }

    /// Awkward text: every byte COPY gives meaning to, plus unicode and a `\N` look-alike.
    private func name(_ i: Int) -> Value {
        switch i % 7 {
        case 0: return .null
        case 1: return .string("tab\there\nnew line\r\\back\\slash")
        case 2: return .string("\\N")
        case 3: return .string("Grüße 世界 🌍 #\(i)")
        case 4: return .string("")
        case 5: return .string("trailing backslash \\")
        default: return .string("plain \(i)")
        }
    }

    func testHundredThousandRowsRoundTripExactly() throws {
        let count = 100_000
        let base = Date(timeIntervalSince1970: 1_795_312_800)
        let copied = try db.copyIn("COPY loaded (id, name, amount, seen, ok, tags, doc) FROM STDIN") { writer in
            for i in 0..<count {
                try writer.writeRow([
                    .int(Int64(i)), name(i),
                    i % 5 == 0 ? .null : .decimal(Decimal(string: "\(i).0\(i % 10)")!),
                    .timestamp(base.addingTimeInterval(Double(i) + 0.25)),
                    .bool(i % 2 == 0),
                    i % 100 == 0 ? .array(["a\tb", "c\"d", .null]) : .null,
                    i % 1000 == 0 ? .object(Fields([("k", .string("v\n\(i)"))])) : .null,
                ])
            }
        }
        XCTAssertEqual(copied, count)

        let result = try db.execute("SELECT id, name, amount, seen, ok FROM loaded ORDER BY id")
        XCTAssertEqual(result.rowCount, count)
        for i in 0..<count {
            XCTAssertEqual(result.value(row: i, column: 0), .int(Int64(i)))
            XCTAssertEqual(result.value(row: i, column: 1), name(i), "row \(i)")
            XCTAssertEqual(result.value(row: i, column: 2), i % 5 == 0 ? .null : .decimal(Decimal(string: "\(i).0\(i % 10)")!))
            guard case .timestamp(let seen) = result.value(row: i, column: 3) else { return XCTFail("row \(i) seen") }
            XCTAssertEqual(seen.timeIntervalSince1970, base.timeIntervalSince1970 + Double(i) + 0.25, accuracy: 0.000_001)
            XCTAssertEqual(result.value(row: i, column: 4), .bool(i % 2 == 0))
        }
        let arrays = try db.execute("SELECT tags[1], tags[2], tags[3] IS NULL, doc ->> 'k' FROM loaded WHERE id = 0")
        XCTAssertEqual(arrays.fields(row: 0).values, [.string("a\tb"), .string("c\"d"), .bool(true), .string("v\n0")])
    }

    func testFieldByFieldWriting() throws {
        let copied = try db.copyIn("COPY loaded (id, name) FROM STDIN") { writer in
            writer.writeField(1); writer.writeField("one"); try writer.endRow()
            writer.writeField(2); writer.writeField(nil); try writer.endRow()
        }
        XCTAssertEqual(copied, 2)
        XCTAssertEqual(try db.execute("SELECT name FROM loaded ORDER BY id").rows().map { $0["name"] }, [.string("one"), .null])
    }

    func testThrowingBodyAbortsTheCopyAndLeavesNothing() throws {
        struct Stop: Error {}
        XCTAssertThrowsError(try db.copyIn("COPY loaded (id) FROM STDIN") { writer in
            for i in 0..<10 { try writer.writeRow([.int(Int64(i))]) }
            throw Stop()
        }) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(try db.execute("SELECT count(*) FROM loaded").value(row: 0, column: 0), .int(0))
        XCTAssertTrue(db.ping(), "the connection is usable after an aborted COPY")
    }

    func testBadDataIsAPostgresErrorAndTheConnectionSurvives() throws {
        XCTAssertThrowsError(try db.copyIn("COPY loaded (id) FROM STDIN") { writer in
            try writer.writeRow(["not a number"])
        }) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlstate, "22P02")
        }
        XCTAssertTrue(db.ping())
        XCTAssertThrowsError(try db.copyIn("COPY nowhere (id) FROM STDIN") { _ in }) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlstate, "42P01")
        }
        XCTAssertThrowsError(try db.execute("COPY loaded (id) FROM STDIN"))
        XCTAssertTrue(db.ping(), "a COPY started through execute is abandoned cleanly")
    }
}
