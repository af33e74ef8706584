import Foundation
import ETLCore
import ETLConfig
import ETLConnectors
import ETLPostgres

/// A run's bookkeeping on its own connection, outside the data transaction:
/// the advisory lock, the setup SQL, the ledger row and the saved state.
final class RunControl {
    enum Start {
        case started
        /// Another run holds the lock or is still marked running: nothing was touched.
        case overlap(String)
    }

    let connection: PostgresConnection
    private let spec: PipelineSpec
    private let logger: Logger
    private var lockKey: Int64?
    private var ledger: RunLedger?
    private var ledgerID: Int64?
    private var stateStore: StateStore?

    private let database: String

    init(database: String, spec: PipelineSpec, logger: Logger) throws {
        self.database = database
        connection = try PostgresConnection(url: database)
        self.spec = spec
        self.logger = logger
    }

    /// Lock, setup, stale-run cleanup, ledger row `running`, state for the context.
    func start(runID: String, context: RunContext) throws -> Start {
        if let lock = spec.lock {
            let key = PostgresConnection.lockKey(lock.key)
            guard try connection.tryAdvisoryLock(key: key) else {
                return .overlap("another run of \(spec.name) holds the lock")
            }
            lockKey = key
        }
        // `CREATE TABLE IF NOT EXISTS` is not safe against itself: two processes creating one
        // table at once (replicas starting, pipelines sharing setup files) fail with a duplicate
        // key. Setup and the ledger's and state's DDL run one process at a time per database.
        let setupKey = PostgresConnection.lockKey("etl setup")
        try connection.execute("SELECT pg_advisory_lock(\(setupKey))")
        do {
            for file in spec.setup?.sqlFiles ?? [] {
                guard let sql = try? String(contentsOfFile: file, encoding: .utf8) else { throw ETLError("cannot read setup SQL \(file)") }
                do { try connection.simpleExecute(sql) } catch { throw SetupSQLFailure.error(file: file, sql: sql, error) }
            }
            if let ledgerSpec = spec.ledger {
                let l = RunLedger(connection: connection, spec: ledgerSpec, pipeline: spec.name)
                try l.checkColumnTypes(try l.prepareTable())
            }
            try StateStore(connection: connection, pipeline: spec.name).prepareTable()
            _ = try connection.advisoryUnlock(key: setupKey)
        } catch {
            _ = try? connection.advisoryUnlock(key: setupKey)
            throw error
        }
        if let ledgerSpec = spec.ledger {
            let l = RunLedger(connection: connection, spec: ledgerSpec, pipeline: spec.name)
            for row in try l.runningRows() {
                let name = row.runID ?? "#\(row.id)"
                let age = DurationParser.format(row.ageSeconds)
                // The lock is the truth: we hold it, so a row of ours still `running` belongs to a
                // process that died (SIGKILL, OOM, a crash, a lost connection) — it cannot be alive.
                if lockKey != nil && row.hasPipeline {
                    try l.markFailed(id: row.id, reason: "process died: run \(name) started at \(row.startedAt) and no longer holds the lock")
                    logger.warning("marked run \(name) as failed: its process died (started at \(row.startedAt), \(age) ago, lock free)")
                    continue
                }
                // Without a lock only age tells: a row younger than the timeout may be a live run.
                if row.ageSeconds < spec.timeout {
                    return .overlap("run \(name) has been running for \(age)")
                }
                try l.markFailed(id: row.id, reason: "timed out: still marked running after \(age) (limit \(DurationParser.format(spec.timeout)))")
                logger.warning("marked stale run \(name) as failed (running for \(age))")
            }
            ledgerID = try l.start(runID: runID)
            ledger = l
        }
        let store = StateStore(connection: connection, pipeline: spec.name)
        context.state = try store.load()
        stateStore = store
        return .started
    }

    /// A run that failed before its ledger row existed still says so in the ledger, if it can.
    func recordFailureBeforeStart(runID: String, error: String, variables: Fields) {
        guard ledger == nil, let ledgerSpec = spec.ledger else { return }
        RunLedger(connection: connection, spec: ledgerSpec, pipeline: spec.name)
            .recordFailureBeforeStart(runID: runID, error: error, variables: variables)
    }

    /// After the sinks committed, never before: a cursor must not pass unwritten data.
    /// Where the cursor is saved: the executions write it in their own transaction (StateCheckpoint).
    var stateDatabase: String? { stateStore == nil ? nil : database }

    /// A checkpointed run's counts so far, on its `running` row (best effort: progress only).
    func progress(_ variables: Fields) {
        guard let ledger, let ledgerID else { return }
        do { try ledger.progress(id: ledgerID, variables: variables) }
        catch { logger.warning("could not update the ledger row's progress: \(error)") }
    }

    func finish(status: RunStatus, error: String?, variables: Fields) throws {
        guard let ledger, let ledgerID else { return }
        do { try ledger.finish(id: ledgerID, status: status, error: error, variables: variables) }
        catch {
            let committed = status == .completed ? "the data committed, but " : ""
            throw ETLError("\(committed)the ledger row \(ledgerID) of \(spec.ledger?.table ?? "the ledger") could not be finished: \(error)",
                           hint: "check the ledger's column mapping (ledger.columns) against the table")
        }
    }

    /// Releases the lock (also released by the server if the process dies) and disconnects.
    func close() {
        if let lockKey { _ = try? connection.advisoryUnlock(key: lockKey) }
        connection.close()
    }
}
