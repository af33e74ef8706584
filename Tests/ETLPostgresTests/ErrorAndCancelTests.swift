import ETLPostgres
import ETLTestSupport
import Foundation
import XCTest

final class ErrorAndCancelTests: XCTestCase {
    func testServerErrorCarriesSQLStateAndStatement() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        XCTAssertThrowsError(try db.execute("SELECT * FROM no_such_table_here WHERE x = $1", parameters: ["1"])) { error in
            guard let pg = error as? PostgresError else { return XCTFail("\(error)") }
            XCTAssertEqual(pg.sqlstate, "42P01")
            XCTAssertTrue(pg.message.contains("no_such_table_here"), pg.message)
            XCTAssertEqual(pg.statement, "SELECT * FROM no_such_table_here WHERE x = $1")
            XCTAssertTrue(pg.description.contains("42P01"))
            XCTAssertTrue(pg.description.contains(db.endpoint), pg.description)
        }
        XCTAssertThrowsError(try db.execute("INSERT INTO x VALUES (1)" + String(repeating: " ", count: 10) + String(repeating: "y", count: 500))) {
            XCTAssertLessThanOrEqual(($0 as? PostgresError)?.statement?.count ?? 999, 201)
        }
        try db.execute("CREATE TEMP TABLE u (id int PRIMARY KEY)")
        try db.execute("INSERT INTO u VALUES (1)")
        XCTAssertThrowsError(try db.execute("INSERT INTO u VALUES (1)")) { error in
            let pg = error as? PostgresError
            XCTAssertEqual(pg?.sqlstate, "23505")
            XCTAssertEqual(pg?.detail, "Key (id)=(1) already exists.")
        }
    }

    func testConnectionErrorNeverShowsThePassword() throws {
        let password = "Sup3r-Secret-Pa55word"
        let url = "postgresql://etl_user:\(password)@127.0.0.1:1/warehouse?connect_timeout=5"
        XCTAssertThrowsError(try PostgresConnection(url: url)) { error in
            guard let pg = error as? PostgresError else { return XCTFail("\(error)") }
            XCTAssertEqual(pg.sqlstate, "08001")
            XCTAssertTrue(pg.isConnectionFailure)
            for text in [pg.description, "\(error)", String(reflecting: error), error.localizedDescription, pg.message] {
                XCTAssertFalse(text.contains(password), text)
            }
            XCTAssertTrue(pg.description.contains("127.0.0.1:1/warehouse"), pg.description)
        }
        // Keyword form too.
        XCTAssertThrowsError(try PostgresConnection(url: "host=127.0.0.1 port=1 dbname=etl password=Another-Secret-99")) { error in
            XCTAssertFalse("\(error)".contains("Another-Secret-99"))
        }
    }

    func testConnectionTargetNamesThePasswordAsParsedAndAsWritten() {
        XCTAssertEqual(ConnectionTarget(parsing: "postgresql://etl:p%40ss-word@db:5432/x").secrets, ["p@ss-word", "p%40ss-word"])
        XCTAssertEqual(ConnectionTarget(parsing: "host=db password='Another Secret'").secrets, ["Another Secret", "Another Secret"])
        XCTAssertEqual(ConnectionTarget(parsing: "postgresql://etl@db/x").secrets, [])
    }

    func testCancelFromAnotherThreadStopsALongQuery() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let canceller = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            db.cancel()
        }
        let start = Date()
        canceller.start()
        XCTAssertThrowsError(try db.execute("SELECT pg_sleep(10)")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlstate, "57014")
            XCTAssertTrue((error as? PostgresError)?.isQueryCanceled ?? false)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
        XCTAssertTrue(db.ping(), "the connection is usable after a cancel")
    }

    func testLostConnectionIsAnErrorNotACrash() throws {
        let db = try TestDatabase.connect()
        let killer = try TestDatabase.connect()
        defer { db.close(); killer.close() }
        let pid = try db.execute("SELECT pg_backend_pid()").text(row: 0, column: 0)
        try killer.execute("SELECT pg_terminate_backend($1::int)", parameters: [pid])
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertThrowsError(try db.execute("SELECT 1")) { error in
            XCTAssertTrue((error as? PostgresError)?.isConnectionFailure ?? false, "\(error)")
        }
        XCTAssertThrowsError(try db.execute("SELECT 1"))
        XCTAssertThrowsError(try db.copyIn("COPY t FROM STDIN") { _ in })
        XCTAssertFalse(db.ping())
    }

    func testNoticesGoToTheHandlerNotStderr() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        var notices: [String] = []
        db.onNotice = { notices.append($0) }
        try db.execute("DROP TABLE IF EXISTS surely_not_here_123")
        XCTAssertEqual(notices.count, 1)
        XCTAssertTrue(notices.first?.contains("does not exist") ?? false)
    }
}
