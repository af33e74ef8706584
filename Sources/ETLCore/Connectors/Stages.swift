import Foundation

/// What every built connector is: something that can say whether what it talks to answers.
public protocol Stage: AnyObject {
    /// A cheap reachability probe for `validate --check-connections`.
    func checkConnection() throws
    /// Settings that are valid but likely to do harm; `etl validate` shows them as warnings.
    var configurationWarnings: [String] { get }
}

public extension Stage {
    func checkConnection() throws {}
    var configurationWarnings: [String] { [] }
}

/// Reads an input and hands it on in batches. Memory stays bounded: a source
/// streams, it never builds the whole input as records.
public protocol Source: Stage {
    func read(_ context: RunContext, emit: (Batch) throws -> Void) throws
}

/// Reshapes batches. Records it refuses go to `rejects` with reasons.
public protocol Transform: Stage {
    func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput
    /// Called once after the last batch of an execution; transforms that hold records (dedupe
    /// keep-last) release them here, and leave themselves ready for the plan's next execution.
    func finish(_ context: RunContext) throws -> TransformOutput
}

public struct TransformOutput {
    public var batch: Batch
    public var rejects: [Rejection]
    public init(_ batch: Batch, rejects: [Rejection] = []) { self.batch = batch; self.rejects = rejects }
}

/// Writes batches. A sink that can (PostgreSQL) makes the whole execution one
/// transaction: `open` starts it (and resets what the previous execution of the
/// same plan counted), `write` stages, `prepare` applies, `commit` makes it visible.
public protocol Sink: Stage {
    func open(_ context: RunContext) throws
    func write(_ batch: Batch, _ context: RunContext) throws
    /// Applies what was staged; after this only `commit` or `rollback` follow.
    func prepare(_ context: RunContext) throws -> SinkReport
    func commit(_ context: RunContext) throws
    func rollback(_ context: RunContext)
    /// Called once everything the execution wrote is committed — the shared PostgreSQL
    /// transaction, the cursor and the rejects included: where effects that cannot be
    /// rolled back (mail, alerts) belong. The data is in, so it cannot fail the run.
    func didCommit(_ context: RunContext)
}

/// What a sink did, merged into the run's metrics and ledger row.
public struct SinkReport: Sendable {
    public var written: Int = 0
    public var changed: Int = 0
    public var inserted: Int = 0
    public var updated: Int = 0
    public var deleted: Int = 0
    public var rejects: [Rejection] = []
    /// Under --dry-run: what would change, one line per row (`SKU-1  in_stock 45 → 40`).
    public var preview: [String] = []
    public init() {}
}

/// Delivers a message (Slack, webhook, email). A failing notifier never fails the run.
public protocol Notifier: Stage {
    func send(_ notification: RunNotification, _ context: RunContext) throws
}

public struct RunNotification: Sendable {
    public var title: String
    public var text: String
    /// The run's variables (status, counts, duration …) for structured payloads.
    public var variables: Fields
    public init(title: String, text: String, variables: Fields) {
        self.title = title; self.text = text; self.variables = variables
    }
}

public extension Transform {
    func finish(_ context: RunContext) throws -> TransformOutput { TransformOutput(Batch()) }
}

/// A source that can say which fields its records carry (a CSV header, a query's
/// columns), so `etl validate` can flag a rule naming a field nobody produces.
public protocol FieldDescribing {
    /// The records' top-level fields; nil when not known. `connect`: allowed to ask a
    /// server (`validate --check-connections`); without it only local files are read.
    func recordFields(connect: Bool) throws -> [String]?
}

public extension Sink {
    func didCommit(_ context: RunContext) {}
}
