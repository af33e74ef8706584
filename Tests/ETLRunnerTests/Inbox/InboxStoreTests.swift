import XCTest
import ETLCore
import ETLPostgres
import ETLTestSupport
@testable import ETLRunner

/// The group-commit insert of `etl serve`'s intake: one statement for many
/// requests must answer each one exactly as single inserts would.
final class InboxStoreTests: XCTestCase {
    func testBatchInsertAnswersEachRequestInOrderAndStoresEachKeyOnce() throws {
        let c = try PostgresConnection(url: try TestDatabase.url.get())
        defer { c.close() }
        try c.simpleExecute(InboxStore.createSQL)
        let store = InboxStore(pipeline: TestDatabase.uniqueName("inbox"))
        func request(_ key: String, _ body: String) -> InboxStore.Request {
            var headers = Fields()
            headers["x-event"] = .string(key)
            return InboxStore.Request(key: key, body: Array(body.utf8), headers: headers)
        }
        let first = try XCTUnwrap(try store.insert(c, requests: [request("a", #"{"n":1}"#)]).first ?? nil)

        // "a" is stored already; "b" comes twice in one batch: only its first request is new.
        let ids = try store.insert(c, requests: [request("b", #"{"n":2}"#), request("a", "{}"), request("b", "{}"), request("c", "\u{0}\\\"'")])
        XCTAssertNotNil(ids[0]); XCTAssertNil(ids[1]); XCTAssertNil(ids[2]); XCTAssertNotNil(ids[3])
        XCTAssertNotEqual(ids[0], first)

        let rows = try c.execute("SELECT idempotency_key, CASE WHEN idempotency_key = 'c' THEN encode(body, 'hex') ELSE convert_from(body, 'UTF8') END, headers->>'x-event', status FROM etl_inbox WHERE pipeline = $1 ORDER BY id",
                                 [.string(store.pipeline)])
        XCTAssertEqual(rows.rowCount, 3)
        XCTAssertEqual((0..<rows.rowCount).map { rows.value(row: $0, column: 0).stringValue }, ["a", "b", "c"])
        XCTAssertEqual(rows.value(row: 1, column: 1).stringValue, #"{"n":2}"#, "the first request of a repeated key is the one kept")
        XCTAssertEqual(rows.value(row: 2, column: 1).stringValue, "005c2227", "bytes kept exactly (NUL, backslash, quotes)")
        XCTAssertEqual(rows.value(row: 2, column: 2).stringValue, "c")
        XCTAssertEqual(rows.value(row: 0, column: 3).stringValue, "pending")
    }
}
