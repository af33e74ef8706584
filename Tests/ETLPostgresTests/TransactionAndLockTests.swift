import ETLPostgres
import ETLTestSupport
import XCTest

final class TransactionAndLockTests: XCTestCase {
    var db: PostgresConnection!
    var table = ""

    override func setUpWithError() throws {
        db = try TestDatabase.connect()
        table = TestDatabase.uniqueName("tx")
        try db.execute("CREATE TABLE \(table) (id int)")
    }

    override func tearDownWithError() throws {
        if db.isOpen { try db.execute("DROP TABLE IF EXISTS \(table)") }
        db.close()
    }

    private func count(on connection: PostgresConnection) throws -> String? {
        try connection.execute("SELECT count(*) FROM \(table)").text(row: 0, column: 0)
    }

    func testRollbackLeavesNothing() throws {
        struct Boom: Error {}
        XCTAssertThrowsError(try db.transaction {
            try db.execute("INSERT INTO \(table) VALUES (1), (2)")
            throw Boom()
        })
        XCTAssertFalse(db.isInTransaction)
        XCTAssertEqual(try count(on: db), "0")

        try db.begin()
        try db.execute("INSERT INTO \(table) VALUES (3)")
        try db.rollback()
        XCTAssertEqual(try count(on: db), "0")
    }

    func testCommitIsVisibleToOthersOnlyAfterCommit() throws {
        let other = try TestDatabase.connect()
        defer { other.close() }
        try db.begin()
        try db.execute("INSERT INTO \(table) VALUES (1)")
        XCTAssertTrue(db.isInTransaction)
        XCTAssertEqual(try count(on: other), "0")
        try db.commit()
        XCTAssertEqual(try count(on: other), "1")
        XCTAssertEqual(try db.transaction { try db.execute("INSERT INTO \(table) VALUES (2)").affectedRows }, 1)
        XCTAssertEqual(try count(on: other), "2")
    }

    func testCommitOfAFailedTransactionThrows() throws {
        try db.begin()
        XCTAssertThrowsError(try db.execute("SELECT * FROM missing_table_xyz"))
        XCTAssertThrowsError(try db.commit()) { XCTAssertEqual(($0 as? PostgresError)?.sqlstate, "25P02") }
        XCTAssertFalse(db.isInTransaction)
    }

    func testAdvisoryLockIsExclusiveAcrossConnections() throws {
        let key = PostgresConnection.lockKey("pipeline:\(table)")
        let other = try TestDatabase.connect()
        defer { other.close() }
        XCTAssertTrue(try db.tryAdvisoryLock(key: key))
        XCTAssertFalse(try other.tryAdvisoryLock(key: key))
        XCTAssertTrue(try db.advisoryUnlock(key: key))
        XCTAssertTrue(try other.tryAdvisoryLock(key: key))
        XCTAssertFalse(try db.tryAdvisoryLock(key: key))
        // Closing releases a session lock, once the server has ended that backend (a moment later).
        other.close()
        var acquired = false
        for _ in 0..<50 where !acquired {
            acquired = try db.tryAdvisoryLock(key: key)
            if !acquired { Thread.sleep(forTimeInterval: 0.05) }
        }
        XCTAssertTrue(acquired)
    }

    func testLockKeyIsStable() {
        XCTAssertEqual(PostgresConnection.lockKey(""), Int64(bitPattern: 0xcbf2_9ce4_8422_2325))
        XCTAssertEqual(PostgresConnection.lockKey("a"), Int64(bitPattern: 0xaf63_dc4c_8601_ec8c))
        XCTAssertNotEqual(PostgresConnection.lockKey("orders"), PostgresConnection.lockKey("orders2"))
    }
}
