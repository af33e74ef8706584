import XCTest
import Foundation
import ETLCore
import ETLPostgres
import ETLTestSupport
@testable import ETLConnectors

/// A run's postgres sinks start connecting before the run takes its lock
/// (`PostgresSession.connectAhead`). The sink's transaction must then run on that
/// very connection, not a second one; a connection never taken must close with the
/// run; and a connect that fails must fail the sink's open with the error
/// connecting then would have given.
final class ConnectAheadTests: XCTestCase {
    private var url = ""
    private var applicationName = ""
    private var watcher: PostgresConnection!

    override func setUpWithError() throws {
        let base = try TestDatabase.url.get()
        applicationName = TestDatabase.uniqueName("ahead")
        // This test's connections carry their own name, so they can be counted on the server.
        url = base + (base.contains("?") ? "&" : "?") + "application_name=" + applicationName
        watcher = try PostgresConnection(url: base, applicationName: "connect-ahead-test")
    }

    override func tearDown() { watcher?.close() }

    private func context() -> RunContext {
        RunContext(runID: "ahead", pipeline: "ahead", logger: Logger(minimumLevel: .error, write: { _ in }))
    }

    /// The server processes of this test's connections.
    private func backends() throws -> [String] {
        let r = try watcher.execute("SELECT pid::text FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid",
                                    parameters: [applicationName])
        return (0..<r.rowCount).compactMap { r.text(row: $0, column: 0) }
    }

    private func waitForBackends(_ count: Int, _ what: String) throws -> [String] {
        let deadline = Date().addingTimeInterval(10)
        while true {
            let pids = try backends()
            if pids.count == count { return pids }
            if Date() > deadline { XCTFail("\(what): \(pids.count) connections, expected \(count)"); return pids }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    func testTheSinksTransactionRunsOnTheConnectionOpenedAhead() throws {
        let run = context()
        PostgresSession.connectAhead(url: url, context: run)
        let opened = try waitForBackends(1, "after connectAhead")
        let (session, _) = try PostgresSession.join(url: url, context: run)
        defer { session.rollback() }
        let pid = try session.connection.execute("SELECT pg_backend_pid()::text").text(row: 0, column: 0)
        XCTAssertEqual(pid, opened.first)
        XCTAssertEqual(try backends(), opened, "join opened a second connection")
    }

    func testAConnectionNeverTakenClosesWithTheRun() throws {
        do {
            let run = context()
            PostgresSession.connectAhead(url: url, context: run)
            _ = try waitForBackends(1, "after connectAhead")
        }
        // The run (an overlap, say) ended before its sinks opened.
        _ = try waitForBackends(0, "after the run ended")
    }

    func testAFailedConnectFailsTheJoinWithTheSameError() throws {
        // Nothing listens on port 1: refused at once.
        let unreachable = "postgresql://127.0.0.1:1/none?connect_timeout=2"
        var direct = ""
        do { _ = try PostgresConnection(url: unreachable) } catch { direct = "\(error)" }
        XCTAssertFalse(direct.isEmpty)

        let run = context()
        PostgresSession.connectAhead(url: unreachable, context: run)
        XCTAssertThrowsError(try PostgresSession.join(url: unreachable, context: run)) { error in
            XCTAssertEqual("\(error)", direct)
        }
    }
}
