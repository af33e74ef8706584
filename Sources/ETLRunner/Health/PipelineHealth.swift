import Foundation
import ETLCore
import ETLConfig
import ETLConnectors
import ETLPostgres

/// The health of one pipeline, read from its ledger and — where they exist in its database —
/// the webhook inbox (`etl_inbox`) and `sync_conflicts`, judged against its `health:` thresholds.
public struct PipelineHealth: Sendable {
    public var name: String
    public var file: String
    public var schedule: String?
    public var lastRunAt: Date?
    public var lastRunStatus: String?
    public var lastError: String?
    public var lastSuccessAt: Date?
    /// Seconds since the last successful run finished (nil: never succeeded).
    public var lagSeconds: Double?
    /// The lag past which it is degraded (nil: not checked).
    public var maxLagSeconds: Double?
    public var failures1h = 0
    public var failures24h = 0
    public var consecutiveFailures = 0
    /// nil when the ledger does not record rejects (no column mapped to records_rejected).
    public var rejects1h: Int?
    public var rejects24h: Int?
    /// `running` rows older than the pipeline's timeout: their process is gone or hung.
    public var stuckRuns = 0
    public var inboxPending: Int?
    public var inboxOldestPendingSeconds: Double?
    public var inboxDead: Int?
    public var conflictsPending: Int?
    public var conflictsEscalated: Int?
    public var issues: [HealthIssue] = []
    /// Which database the figures come from (never printed: it may hold a password), so
    /// database-wide figures (conflicts) are judged once per database.
    var database: String?

    public var status: HealthStatus { issues.map(\.severity).max() ?? .healthy }

    init(name: String, file: String) { self.name = name; self.file = file }

    /// A pipeline that could not be read or checked at all.
    static func unreadable(file: String, name: String, problem: String) -> PipelineHealth {
        var h = PipelineHealth(name: name, file: file)
        h.issues.append(HealthIssue(pipeline: name, type: "check_failed", severity: .unhealthy, message: "\(name): \(problem)"))
        return h
    }

    /// Reads everything the database knows about `spec` and judges it.
    static func check(_ spec: PipelineSpec, now: Date, redactor: Redactor) -> PipelineHealth {
        var h = PipelineHealth(name: spec.name, file: spec.file)
        h.schedule = spec.schedule?.expression
        h.database = spec.ledger?.database
        guard let ledger = spec.ledger, !ledger.database.isEmpty else {
            h.issues.append(HealthIssue(pipeline: spec.name, type: "no_ledger", severity: .degraded,
                                        message: "\(spec.name) has no database (or its DATABASE variable is unset): its runs cannot be checked"))
            return h
        }
        let connection: PostgresConnection
        do { connection = try PostgresConnection(url: ledger.database, connectTimeout: 5, applicationName: "etl status") }
        catch {
            h.issues.append(HealthIssue(pipeline: spec.name, type: "database_unreachable", severity: .unhealthy,
                                        message: "\(spec.name): database unreachable: \(redactor.redact("\(error)"))"))
            return h
        }
        defer { connection.close() }
        do {
            // Ledger times are UTC wall clock (timestamp); older tools' tables may use timestamptz:
            // in a UTC session both read, compare and convert to epoch alike.
            try connection.execute("SET TIME ZONE 'UTC'", [])
            try h.readLedger(connection, ledger, spec, now: now)
            try h.readInbox(connection, now: now)
            try h.readConflicts(connection)
        } catch {
            h.issues.append(HealthIssue(pipeline: spec.name, type: "check_failed", severity: .unhealthy,
                                        message: "\(spec.name): could not read its bookkeeping: \(redactor.redact("\(error)"))"))
        }
        h.judge(spec, now: now)
        return h
    }

    private static func exists(_ table: String, _ c: PostgresConnection) throws -> Bool {
        try c.execute("SELECT to_regclass($1) IS NOT NULL", [.string(PostgresConnection.regclassText(table))]).value(row: 0, column: 0) == .bool(true)
    }

    private static func date(_ v: Value?) -> Date? { v?.doubleValue.map { Date(timeIntervalSince1970: $0) } }

    private mutating func readLedger(_ c: PostgresConnection, _ ledger: LedgerSpec, _ spec: PipelineSpec, now: Date) throws {
        guard try Self.exists(ledger.table, c) else { return }
        let table = PostgresConnection.quoteIdentifier(ledger.table)
        let rejected = ledger.columns.first { $0.variable == "records_rejected" }.map { PostgresConnection.quoteIdentifier($0.column) }
        // The ledger stores UTC wall-clock times (timestamp without time zone).
        let utcNow = "(now() AT TIME ZONE 'UTC')"
        let rejects = rejected.map { """
            , sum(\($0)) FILTER (WHERE started_at > \(utcNow) - interval '1 hour')::bigint AS rejects_1h,
              coalesce(sum(\($0)) FILTER (WHERE started_at > \(utcNow) - interval '24 hours'), 0)::bigint AS rejects_24h
            """ } ?? ""
        let mine = "(pipeline = $1 OR pipeline IS NULL)"
        let row = try c.execute("""
            SELECT extract(epoch FROM max(started_at))::float8 AS last_run,
                   extract(epoch FROM max(coalesce(completed_at, started_at)) FILTER (WHERE status = 'completed'))::float8 AS last_success,
                   count(*) FILTER (WHERE status = 'failed' AND started_at > \(utcNow) - interval '1 hour') AS failures_1h,
                   count(*) FILTER (WHERE status = 'failed' AND started_at > \(utcNow) - interval '24 hours') AS failures_24h,
                   count(*) FILTER (WHERE status = 'running' AND started_at < \(utcNow) - make_interval(secs => $2)) AS stuck
                   \(rejects)
            FROM \(table) WHERE \(mine)
            """, [.string(spec.name), .double(spec.timeout)]).rows().first ?? Fields()
        lastRunAt = Self.date(row["last_run"])
        lastSuccessAt = Self.date(row["last_success"])
        failures1h = Int(row["failures_1h"]?.intValue ?? 0)
        failures24h = Int(row["failures_24h"]?.intValue ?? 0)
        stuckRuns = Int(row["stuck"]?.intValue ?? 0)
        if rejected != nil {
            rejects1h = Int(row["rejects_1h"]?.intValue ?? 0)
            rejects24h = Int(row["rejects_24h"]?.intValue ?? 0)
        }
        let recent = try c.execute("""
            SELECT status, error_message FROM \(table) WHERE \(mine) AND status <> 'running'
            ORDER BY started_at DESC, id DESC LIMIT $2
            """, [.string(spec.name), .int(Int64(max(spec.health.maxConsecutiveFailures, 1)))]).rows()
        lastRunStatus = try c.execute("SELECT status FROM \(table) WHERE \(mine) ORDER BY started_at DESC, id DESC LIMIT 1",
                                      [.string(spec.name)]).rows().first?["status"]?.stringValue
        lastError = recent.first.flatMap { $0["status"]?.stringValue == "failed" ? $0["error_message"]?.stringValue : nil }
        consecutiveFailures = recent.prefix { $0["status"]?.stringValue == "failed" }.count
        if let lastSuccessAt { lagSeconds = max(0, now.timeIntervalSince(lastSuccessAt)) }
    }

    private mutating func readInbox(_ c: PostgresConnection, now: Date) throws {
        guard try Self.exists("etl_inbox", c) else { return }
        let row = try c.execute("""
            SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
                   extract(epoch FROM now() - min(received_at) FILTER (WHERE status = 'pending'))::float8 AS oldest,
                   count(*) FILTER (WHERE status = 'dead') AS dead
            FROM etl_inbox WHERE pipeline = $1
            """, [.string(name)]).rows().first ?? Fields()
        inboxPending = Int(row["pending"]?.intValue ?? 0)
        inboxOldestPendingSeconds = row["oldest"]?.doubleValue
        inboxDead = Int(row["dead"]?.intValue ?? 0)
    }

    private mutating func readConflicts(_ c: PostgresConnection) throws {
        guard try Self.exists("sync_conflicts", c) else { return }
        let row = try c.execute("""
            SELECT count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'escalated') AS escalated
            FROM sync_conflicts
            """, []).rows().first ?? Fields()
        conflictsPending = Int(row["pending"]?.intValue ?? 0)
        conflictsEscalated = Int(row["escalated"]?.intValue ?? 0)
    }

    /// The thresholds, in the order an operator reads them.
    private mutating func judge(_ spec: PipelineSpec, now: Date) {
        let t = spec.health
        func issue(_ type: String, _ severity: HealthStatus, _ message: String) {
            issues.append(HealthIssue(pipeline: name, type: type, severity: severity, message: "\(name) \(message)"))
        }
        if let schedule = spec.schedule {
            let interval = schedule.interval(before: now) ?? 86_400
            maxLagSeconds = t.maxLag ?? interval + spec.timeout
        } else {
            maxLagSeconds = t.maxLag
        }
        if let maxLag = maxLagSeconds {
            let unhealthyLag = t.maxLagUnhealthy ?? maxLag * 4
            if let lag = lagSeconds {
                if lag > unhealthyLag {
                    issue("sync_lag", .unhealthy, "sync lag: last success \(DurationParser.format(lag)) ago (unhealthy past \(DurationParser.format(unhealthyLag)))")
                } else if lag > maxLag {
                    issue("sync_lag", .degraded, "sync lag: last success \(DurationParser.format(lag)) ago (max: \(DurationParser.format(maxLag)))")
                }
            } else if lastRunAt == nil {
                issue("never_run", .degraded, "has no run recorded in its ledger")
            } else {
                issue("never_succeeded", .degraded, "has no successful run recorded in its ledger")
            }
        }
        if consecutiveFailures >= t.maxConsecutiveFailures {
            issue("repeated_failures", .unhealthy, "failed its last \(consecutiveFailures) runs\(lastError.map { ": \($0)" } ?? "")")
        } else if consecutiveFailures > 0 {
            issue("last_run_failed", .degraded, "last run failed\(lastError.map { ": \($0)" } ?? "")")
        }
        if failures1h >= t.maxFailures1h {
            issue("high_error_rate", .unhealthy, "has \(failures1h) failed runs in the last hour")
        } else if failures24h >= t.maxFailures24h {
            issue("high_error_rate", .degraded, "has \(failures24h) failed runs in the last 24 hours")
        }
        if let max = t.maxRejects24h, let rejects = rejects24h, rejects > max {
            issue("rejects", .degraded, "rejected \(rejects) records in the last 24 hours (max: \(max))")
        }
        if stuckRuns > 0 {
            issue("stuck_run", .unhealthy, "has \(stuckRuns) run\(stuckRuns == 1 ? "" : "s") marked running for longer than its timeout (\(DurationParser.format(spec.timeout)))")
        }
        if let pending = inboxPending, pending > t.maxInboxDepth {
            issue("queue_backlog", .degraded, "webhook inbox backlog: \(pending) events pending (max: \(t.maxInboxDepth))")
        }
        if let oldest = inboxOldestPendingSeconds, oldest > t.maxInboxAge {
            issue("queue_age", .degraded, "oldest pending webhook event waited \(DurationParser.format(oldest)) (max: \(DurationParser.format(t.maxInboxAge)))")
        }
        if let dead = inboxDead, dead > t.maxDeadEvents {
            issue("dead_events", .degraded, "has \(dead) dead webhook events")
        }
        if let pending = conflictsPending, pending > t.maxPendingConflicts {
            issue("pending_conflicts", .degraded, "has \(pending) sync conflicts pending resolution in its database (max: \(t.maxPendingConflicts))")
        }
        if let max = t.maxEscalatedConflicts, let escalated = conflictsEscalated, escalated > max {
            issue("escalated_conflicts", .degraded, "has \(escalated) escalated sync conflicts waiting for a person in its database (max: \(max))")
        }
    }
}
