import ETLCore
import ETLConnectors

/// Marks claimed inbox events processed inside the execution's transaction:
/// the marks commit exactly when the sinks' writes do, so an event is never
/// marked done without its data, nor its data committed twice.
final class InboxMarks: SessionParticipant {
    let database: String
    private let store: InboxStore
    var session: PostgresSession?
    /// Decided once the sinks applied the batch: which events are done, which rejected.
    var outcome: () throws -> (done: [Int64], rejected: [Int64], response: (status: Int, body: String)?)

    init(database: String, store: InboxStore, outcome: @escaping () throws -> (done: [Int64], rejected: [Int64], response: (status: Int, body: String)?)) {
        self.database = database; self.store = store; self.outcome = outcome
    }

    func write(_ context: RunContext) throws {
        guard let session else { return }
        let o = try outcome()
        try store.markProcessed(session.connection, done: o.done, rejected: o.rejected, response: o.response)
    }
}
