import ETLCore
import ETLConnectors

/// Saves the run's cursor inside the data's own transaction: it joins the shared
/// PostgreSQL session of the state's database (the sinks' transaction when they
/// write to the same database), writes `etl_state` after the sinks applied their
/// batch, and commits with them — the cursor can never pass data that did not commit,
/// nor lag behind data that did.
final class StateCheckpoint: ExecutionParticipant {
    private let database: String
    private let pipeline: String
    private var session: PostgresSession?

    init(database: String, pipeline: String) { self.database = database; self.pipeline = pipeline }

    /// Joins the transaction; called when the execution opens its sinks.
    func open(_ context: RunContext) throws {
        session = try PostgresSession.join(url: database, context: context).0
    }

    /// Writes what the sources reported so far (nothing to write: nothing happens).
    func write(_ context: RunContext) throws {
        guard let session, !context.stateToSave.isEmpty else { return }
        try StateStore(connection: session.connection, pipeline: pipeline).save(context.stateToSave)
    }

    func commit(_ context: RunContext) throws {
        defer { session = nil }
        try session?.commit(dryRun: context.dryRun)
    }

    func rollback() {
        session?.rollback()
        session = nil
    }
}

/// A writer that joins an execution's transaction after the sinks: it writes once they
/// applied their batch and commits last, so its rows commit exactly when the data does.
protocol ExecutionParticipant: AnyObject {
    func open(_ context: RunContext) throws
    func write(_ context: RunContext) throws
    func commit(_ context: RunContext) throws
    func rollback()
}
