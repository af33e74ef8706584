import ETLPostgres
import ETLTestSupport
import XCTest

/// The driver in PostgreSQL's own terms: parameters and COPY fields as text
/// or NULL, results as text with their type OIDs.
final class TextProtocolTests: XCTestCase {
    var db: PostgresConnection!

    override func setUpWithError() throws { db = try TestDatabase.connect() }
    override func tearDown() { db?.close() }

    func testTextParametersAndNull() throws {
        let result = try db.execute("SELECT $1::bigint + 1, $2::text IS NULL, $3::text, $4::numeric",
                                    parameters: ["41", nil, "Grüße\t'; DROP TABLE x; --", "12.50"])
        XCTAssertEqual(result.text(row: 0, column: 0), "42")
        XCTAssertEqual(result.text(row: 0, column: 1), "t")
        XCTAssertEqual(result.text(row: 0, column: 2), "Grüße\t'; DROP TABLE x; --")
        XCTAssertEqual(result.text(row: 0, column: 3), "12.50")
        XCTAssertEqual(result.columnTypes, [PostgresTypeOID.int8, PostgresTypeOID.bool, PostgresTypeOID.text, PostgresTypeOID.numeric])
        XCTAssertNil(try db.execute("SELECT NULL::int").text(row: 0, column: 0))
        XCTAssertNil(result.text(row: 1, column: 0), "out of range reads as NULL")
        XCTAssertEqual(result.withFieldBytes(row: 0, column: 0) { Array($0) }, Array("42".utf8))
        XCTAssertEqual(result.withFieldBytes(row: 9, column: 9) { $0.count }, 0)
    }

    /// The settings the value conversions rely on hold on every connection, whatever the URL
    /// or the server's defaults say (they are set in one round trip when connecting).
    func testSessionIsUTF8InUTCWithISODatesEvenWhenTheURLAsksOtherwise() throws {
        let url = try TestDatabase.url.get()
        let latin1 = try PostgresConnection(url: url + (url.contains("?") ? "&" : "?") + "client_encoding=LATIN1")
        defer { latin1.close() }
        for c in [db!, latin1] {
            let r = try c.execute("SELECT current_setting('client_encoding'), current_setting('TimeZone'), current_setting('DateStyle'), $1::text, "
                                  + "'2024-03-01 12:00:00+02'::timestamptz::text", parameters: ["Grüße ✓ 日本"])
            XCTAssertEqual((0..<5).map { r.text(row: 0, column: $0) },
                           ["UTF8", "UTC", "ISO, YMD", "Grüße ✓ 日本", "2024-03-01 10:00:00+00"])
        }
    }

    func testParametersAreBuiltWithoutStrings() throws {
        var parameters = PostgresParameters()
        parameters.append { $0.append(contentsOf: "7".utf8) }
        parameters.appendNull()
        parameters.append("x")
        XCTAssertEqual(parameters.count, 3)
        let result = try db.execute("SELECT $1::int * 6, $2::text IS NULL, $3", parameters: parameters)
        XCTAssertEqual((0..<3).map { result.text(row: 0, column: $0) }, ["42", "t", "x"])
    }

    func testNulByteInATextParameterIsAnError() throws {
        XCTAssertThrowsError(try db.execute("SELECT $1::text, $2::text", parameters: ["ok", "a\u{0}b"])) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlstate, "22021")
            XCTAssertTrue((error as? PostgresError)?.message.contains("$2") ?? false, "\(error)")
        }
        XCTAssertTrue(db.ping())
    }

    func testCopyFieldsAsTextSafeTextAndNull() throws {
        try db.execute("CREATE TEMP TABLE copied (id bigint, name text, note text)")
        let copied = try db.copyIn("COPY copied (id, name, note) FROM STDIN") { writer in
            writer.writeSafeText { $0.append(contentsOf: "1".utf8) }
            writer.writeText("tab\there\nnew line\r\\back")
            writer.writeText { $0.append(contentsOf: "\\N".utf8) }
            try writer.endRow()
            writer.writeSafeText { $0.append(contentsOf: "2".utf8) }
            writer.writeNull()
            writer.writeText("")
            try writer.endRow()
        }
        XCTAssertEqual(copied, 2)
        let result = try db.execute("SELECT name, note FROM copied ORDER BY id")
        XCTAssertEqual(result.text(row: 0, column: 0), "tab\there\nnew line\r\\back")
        XCTAssertEqual(result.text(row: 0, column: 1), "\\N")
        XCTAssertNil(result.text(row: 1, column: 0))
        XCTAssertEqual(result.text(row: 1, column: 1), "")
    }
}
