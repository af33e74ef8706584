import Foundation
import ETLCore
import ETLPostgres

/// One connection and one transaction shared by every `postgres` sink of a run
/// that writes to the same database. Separate transactions would make a second
/// sink wait forever on rows the first one changed but has not committed (an
/// upsert sink and a soft-delete sink on one table), and would let one commit
/// while the other fails. The transaction commits when the last sink commits.
/// The session belongs to the run (`RunContext.resources`), never to the process.
/// Other writers of the run join it too — the runner's saved cursor — so the data
/// and the cursor commit together.
public final class PostgresSession {
    public let connection: PostgresConnection
    private let key: String
    private let resources: RunResources
    private let lock = NSLock()
    private var participants = 0
    private var commits = 0
    private var finished = false
    /// False for a connection lent by its owner (a serve worker's): the session ends its
    /// transaction but leaves the connection open for the owner's next one.
    private var ownsConnection = true

    private init(key: String, connection: PostgresConnection, resources: RunResources) {
        self.key = key; self.connection = connection; self.resources = resources
    }

    /// Makes `connection`, already inside a transaction its owner began (an inbox claim), the
    /// run's session on `url`: the sinks that join it write in that transaction, and the last
    /// participant's commit commits the claim with them. The connection stays open afterwards.
    public static func adopt(_ connection: PostgresConnection, url: String, context: RunContext) {
        _ = context.resources.shared("postgres-session|" + url, make: {
            let session = PostgresSession(key: "postgres-session|" + url, connection: connection, resources: context.resources)
            session.ownsConnection = false
            return session
        })
    }

    /// Joins (or starts) the run's transaction on `url`; returns the session and this sink's ordinal.
    public static func join(url: String, context: RunContext) throws -> (PostgresSession, Int) {
        var ordinal = 0
        let session = try context.resources.shared("postgres-session|" + url, make: {
            let c = try PostgresConnection(url: url)
            context.onCancel { c.cancel() }
            try c.execute("BEGIN")
            return PostgresSession(key: "postgres-session|" + url, connection: c, resources: context.resources)
        }, join: { (session: PostgresSession) in
            session.lock.lock(); session.participants += 1; ordinal = session.participants; session.lock.unlock()
        })
        return (session, ordinal)
    }

    /// The run's open transaction on `url`, without joining it: for stages that write
    /// inside the sinks' transaction but do not commit it (the `postgres` transform).
    /// Nil when no `postgres` sink of the run writes to that database.
    public static func active(url: String, context: RunContext) -> PostgresSession? {
        struct NoSession: Error {}
        return try? context.resources.shared("postgres-session|" + url, make: { () throws -> PostgresSession in throw NoSession() })
    }

    /// The last participant's commit makes everything visible (or, in a dry run, throws it away).
    public func commit(dryRun: Bool) throws {
        lock.lock()
        commits += 1
        let last = commits >= participants && !finished
        if last { finished = true }
        lock.unlock()
        guard last else { return }
        resources.release(key)
        defer { if ownsConnection { connection.close() } }
        try connection.execute(dryRun ? "ROLLBACK" : "COMMIT")
    }

    public func rollback() {
        lock.lock()
        let first = !finished
        finished = true
        lock.unlock()
        guard first else { return }
        resources.release(key)
        _ = try? connection.execute("ROLLBACK")
        if ownsConnection { connection.close() }
    }
}
