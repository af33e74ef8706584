import Foundation
import ETLCore
import ETLConfig
import ETLConnectors
import ETLPostgres

/// History sees webhook work without a row per event: each `etl serve` process
/// keeps one ledger row per pipeline, `running` while it serves, its counts
/// updated every few seconds, `completed` when it shuts down. The inbox holds
/// the per-event detail.
///
/// Two threads write the row: the bookkeeping loop (`progress`) and shutdown (`finish`).
/// Shutdown waits for the loop to stop first (`InboxWorkers`); the lock keeps the
/// ledger safe for any caller all the same, since two statements at once on one libpq
/// connection desync its protocol and the second waits forever for a reply the first
/// one read. After `finish`, `progress` does nothing.
public final class ServeLedger: @unchecked Sendable {
    private let connection: PostgresConnection
    private let ledger: RunLedger
    private let id: Int64
    private let started = Date()
    private let lock = NSLock()
    private var finished = false

    public init?(spec: PipelineSpec, runID: String, logger: Logger) {
        guard let ledgerSpec = spec.ledger else { return nil }
        do {
            connection = try PostgresConnection(url: ledgerSpec.database)
            ledger = RunLedger(connection: connection, spec: ledgerSpec, pipeline: spec.name)
            try ledger.prepareTable()
            id = try ledger.start(runID: runID)
        } catch {
            logger.warning("\(spec.name): the serve ledger row could not be written: \(error)")
            return nil
        }
    }

    private func variables(_ totals: RunMetrics, status: RunStatus) -> Fields {
        var v = Fields()
        for name in RunReport.counters { v[name] = .int(totals.count(name)) }
        v["status"] = .string(status.rawValue)
        v["duration"] = .double(Date().timeIntervalSince(started))
        v["duration_ms"] = .int(Int64(Date().timeIntervalSince(started) * 1000))
        return v
    }

    /// Best effort: a failed update only delays the counts.
    public func progress(_ totals: RunMetrics) {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        _ = try? ledger.progress(id: id, variables: variables(totals, status: .running))
    }

    public func finish(_ totals: RunMetrics) {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        _ = try? ledger.finish(id: id, status: .completed, error: nil, variables: variables(totals, status: .completed))
        connection.close()
    }
}

/// Before `etl serve` accepts a request for a pipeline: its `setup:` SQL and the inbox table,
/// in one transaction under an advisory lock, so replicas starting together do not race (the
/// same lock `etl run` takes for its setup: a cron run and a serve start share setup files).
public enum ServeSetup {
    public static func prepare(_ spec: PipelineSpec, database: String) throws {
        let c = try PostgresConnection(url: database)
        defer { c.close() }
        try c.execute("BEGIN")
        do {
            try c.execute("SELECT pg_advisory_xact_lock($1)", [.int(PostgresConnection.lockKey("etl setup"))])
            for file in spec.setup?.sqlFiles ?? [] {
                guard let sql = try? String(contentsOfFile: file, encoding: .utf8) else { throw ETLError("cannot read setup SQL \(file)") }
                do { try c.simpleExecute(sql) } catch { throw SetupSQLFailure.error(file: file, sql: sql, error) }
            }
            try c.simpleExecute(InboxStore.createSQL)
            try c.execute("COMMIT")
        } catch {
            _ = try? c.execute("ROLLBACK")
            throw error
        }
    }
}
