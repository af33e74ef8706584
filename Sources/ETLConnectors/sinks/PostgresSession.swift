import Foundation
import ETLCore
import ETLPostgres

/// One connection and one transaction shared by every `postgres` sink of a run
/// that writes to the same database. Separate transactions would make a second
/// sink wait forever on rows the first one changed but has not committed (an
/// upsert sink and a soft-delete sink on one table), and would let one commit
/// while the other fails. The transaction commits when the last sink commits.
final class PostgresSession {
    private static let lock = NSLock()
    private static var open: [String: PostgresSession] = [:]

    let connection: PostgresConnection
    private let id: String
    private var participants = 0
    private var commits = 0
    private var finished = false

    private init(id: String, connection: PostgresConnection) {
        self.id = id; self.connection = connection
    }

    /// Joins (or starts) the run's transaction on `url`; returns the session and this sink's ordinal.
    static func join(url: String, context: RunContext) throws -> (PostgresSession, Int) {
        lock.lock(); defer { lock.unlock() }
        let id = context.runID + "|" + url
        if let session = open[id], !session.finished {
            session.participants += 1
            return (session, session.participants)
        }
        let c = try PostgresConnection.connect(url: url)
        context.onCancel { c.cancel() }
        try c.execute("SET TIME ZONE 'UTC'")
        try c.execute("BEGIN")
        let session = PostgresSession(id: id, connection: c)
        session.participants = 1
        open[id] = session
        return (session, 1)
    }

    /// The last participant's commit makes everything visible (or, in a dry run, throws it away).
    func commit(dryRun: Bool) throws {
        PostgresSession.lock.lock()
        commits += 1
        let last = commits >= participants && !finished
        if last { finished = true; PostgresSession.open[id] = nil }
        PostgresSession.lock.unlock()
        guard last else { return }
        defer { connection.close() }
        try connection.execute(dryRun ? "ROLLBACK" : "COMMIT")
    }

    func rollback() {
        PostgresSession.lock.lock()
        let first = !finished
        finished = true
        PostgresSession.open[id] = nil
        PostgresSession.lock.unlock()
        guard first else { return }
        _ = try? connection.execute("ROLLBACK")
        connection.close()
    }
}
