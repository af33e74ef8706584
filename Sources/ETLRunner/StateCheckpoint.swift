import ETLCore
import ETLConnectors

/// Saves the run's cursor inside the data's own transaction: it joins the shared
/// PostgreSQL session of the state's database (the sinks' transaction when they
/// write to the same database), writes `etl_state` after the sinks applied their
/// batch, and commits with them — the cursor can never pass data that did not commit,
/// nor lag behind data that did.
final class StateCheckpoint: SessionParticipant {
    let database: String
    private let pipeline: String
    var session: PostgresSession?

    init(database: String, pipeline: String) { self.database = database; self.pipeline = pipeline }

    /// Writes what the sources reported so far (nothing to write: nothing happens).
    func write(_ context: RunContext) throws {
        guard let session, !context.stateToSave.isEmpty else { return }
        try StateStore(connection: session.connection, pipeline: pipeline).save(context.stateToSave)
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

/// A participant writing through the shared PostgreSQL session of its database: it joins
/// when the execution opens its sinks, and commits or rolls back with that session (on a
/// shared session, the last participant's commit is the COMMIT of everything).
protocol SessionParticipant: ExecutionParticipant {
    var database: String { get }
    var session: PostgresSession? { get set }
}

extension SessionParticipant {
    func open(_ context: RunContext) throws {
        session = try PostgresSession.join(url: database, context: context).0
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
