import XCTest
import ETLPostgres
import ETLTestSupport

/// A COPY kept open across calls (`copyInKeepingOpen`): rows of every call land,
/// any other statement ends it first, and an abort throws all of it away.
final class OpenCopyTests: XCTestCase {
    var db: PostgresConnection!

    override func setUpWithError() throws {
        db = try TestDatabase.connect()
        try db.execute("CREATE TEMP TABLE staged (id bigint, name text)")
    }

    override func tearDown() { db?.close() }

    private func rows(_ ids: ClosedRange<Int>) -> (CopyWriter) throws -> Void {
        { writer in
            for id in ids {
                writer.writeSafeText { $0.append(contentsOf: String(id).utf8) }
                writer.writeText("name \(id)")
                try writer.endRow()
            }
        }
    }

    func testRowsOfEveryCallLandAndTheNextStatementEndsTheCopy() throws {
        try db.copyInKeepingOpen("COPY staged (id, name) FROM STDIN", rows: rows(1...3))
        try db.copyInKeepingOpen("COPY staged (id, name) FROM STDIN", rows: rows(4...5))
        let result = try db.execute("SELECT count(*), sum(id), max(name) FROM staged")
        XCTAssertEqual(result.text(row: 0, column: 0), "5")
        XCTAssertEqual(result.text(row: 0, column: 1), "15")
        XCTAssertEqual(result.text(row: 0, column: 2), "name 5")
        XCTAssertEqual(try db.endCopy(), 0, "nothing is left open once a statement ran")
    }

    func testEndCopyReportsTheServersCountAndItsError() throws {
        try db.copyInKeepingOpen("COPY staged (id, name) FROM STDIN", rows: rows(1...2))
        try db.copyInKeepingOpen("COPY staged (id, name) FROM STDIN", rows: rows(3...4))
        XCTAssertEqual(try db.endCopy(), 4)
        try db.copyInKeepingOpen("COPY staged (id, name) FROM STDIN") { writer in
            writer.writeText("not a number"); writer.writeText("x"); try writer.endRow()
        }
        XCTAssertThrowsError(try db.endCopy()) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlstate, "22P02", "\(error)")
        }
    }

    func testAThrowingBatchAbortsTheWholeCopy() throws {
        struct Stop: Error {}
        try db.copyInKeepingOpen("COPY staged (id, name) FROM STDIN", rows: rows(1...3))
        XCTAssertThrowsError(try db.copyInKeepingOpen("COPY staged (id, name) FROM STDIN") { writer in
            try self.rows(4...4)(writer)
            throw Stop()
        })
        XCTAssertEqual(try db.execute("SELECT count(*) FROM staged").text(row: 0, column: 0), "0",
                       "the earlier call's rows went with the aborted COPY")
    }

    func testAbortOpenCopyDiscardsItAndTheConnectionStaysUsable() throws {
        try db.copyInKeepingOpen("COPY staged (id, name) FROM STDIN", rows: rows(1...3))
        db.abortOpenCopy()
        XCTAssertEqual(try db.execute("SELECT count(*) FROM staged").text(row: 0, column: 0), "0")
    }
}
