import Foundation
import ETLCore
import ETLConfig

/// The health of a set of pipelines at one moment: what `etl status` prints and the
/// `sync_health` source emits as one record.
public struct SyncHealthReport: Sendable {
    public var checkedAt: Date
    public var pipelines: [PipelineHealth]

    public var status: HealthStatus { pipelines.map(\.status).max() ?? .healthy }
    public var issues: [HealthIssue] { pipelines.flatMap(\.issues) }

    /// Loads every pipeline file under `paths` (files or directories) and checks each.
    public static func check(paths: [String], registry: ConnectorRegistry,
                             environment: [String: String] = ProcessInfo.processInfo.environment,
                             now: Date = Date()) -> SyncHealthReport {
        let (files, problems) = PipelineValidation.files(paths)
        var pipelines: [PipelineHealth] = problems.filter { $0.severity == .error }.map {
            PipelineHealth.unreadable(file: "", name: "?", problem: $0.message)
        }
        let redactor = Redactor(secrets: Redactor.secrets(inEnvironment: environment))
        for file in files {
            let loaded = PipelineLoader(registry: registry, environment: environment).load(path: file)
            redactor.add(contentsOf: loaded.secrets)
            guard let spec = loaded.spec else {
                let first = loaded.diagnostics.first { $0.severity == .error }.map { redactor.redact($0.description) } ?? "invalid"
                pipelines.append(.unreadable(file: file, name: (file as NSString).lastPathComponent,
                                             problem: "configuration invalid: \(first) (run `etl validate \(file)`)"))
                continue
            }
            pipelines.append(PipelineHealth.check(spec, now: now, redactor: redactor))
        }
        // sync_conflicts belongs to a database, not a pipeline: its issues are raised once per
        // database, on the first pipeline (in file order) that uses it; the counts stay on each.
        var judged = Set<String>()
        for i in pipelines.indices {
            guard let database = pipelines[i].database else { continue }
            if !judged.insert(database).inserted {
                pipelines[i].issues.removeAll { $0.type == "pending_conflicts" || $0.type == "escalated_conflicts" }
            }
        }
        return SyncHealthReport(checkedAt: now, pipelines: pipelines)
    }

    // MARK: renderings

    /// The report as one value: the `sync_health` source's record and `--format json`.
    public var value: Value {
        func time(_ d: Date?) -> Value { d.map { .string(Timestamps.iso8601($0)) } ?? .null }
        func int(_ i: Int?) -> Value { i.map { .int(Int64($0)) } ?? .null }
        func seconds(_ s: Double?) -> Value { s.map { .int(Int64($0.rounded())) } ?? .null }
        func issue(_ i: HealthIssue) -> Value {
            .object(Fields([("pipeline", .string(i.pipeline)), ("type", .string(i.type)),
                            ("severity", .string(i.severity.name)), ("message", .string(i.message))]))
        }
        let items: [Value] = pipelines.map { p in
            .object(Fields([
                ("name", .string(p.name)), ("file", .string(p.file)), ("status", .string(p.status.name)),
                ("schedule", p.schedule.map(Value.string) ?? .null),
                ("last_run_at", time(p.lastRunAt)), ("last_run_status", p.lastRunStatus.map(Value.string) ?? .null),
                ("last_success_at", time(p.lastSuccessAt)), ("lag_seconds", seconds(p.lagSeconds)),
                ("max_lag_seconds", seconds(p.maxLagSeconds)),
                ("failures_1h", int(p.failures1h)), ("failures_24h", int(p.failures24h)),
                ("consecutive_failures", int(p.consecutiveFailures)),
                ("rejects_1h", int(p.rejects1h)), ("rejects_24h", int(p.rejects24h)), ("stuck_runs", int(p.stuckRuns)),
                ("inbox_pending", int(p.inboxPending)), ("inbox_oldest_pending_seconds", seconds(p.inboxOldestPendingSeconds)),
                ("inbox_dead", int(p.inboxDead)),
                ("conflicts_pending", int(p.conflictsPending)), ("conflicts_escalated", int(p.conflictsEscalated)),
                ("issues", .array(p.issues.map(issue))),
            ]))
        }
        let conflicts = pipelines.compactMap(\.conflictsPending).max()
        let escalated = pipelines.compactMap(\.conflictsEscalated).max()
        return .object(Fields([
            ("checked_at", time(checkedAt)), ("status", .string(status.name)),
            ("healthy", int(pipelines.filter { $0.status == .healthy }.count)),
            ("degraded", int(pipelines.filter { $0.status == .degraded }.count)),
            ("unhealthy", int(pipelines.filter { $0.status == .unhealthy }.count)),
            ("pending_conflicts", int(conflicts)), ("escalated_conflicts", int(escalated)),
            ("issue_count", int(issues.count)),
            ("summary", .string(summary)),
            ("signature", .string(signature)),
            ("issues", .array(issues.map(issue))),
            ("pipelines", .array(items)),
        ]))
    }

    /// Which pipelines have which kinds of issue (`crm-contacts/sync_lag,…`), without the figures
    /// that change every check: a stable key for de-duplicating alerts about the same state.
    public var signature: String {
        Set(issues.map { "\($0.pipeline)/\($0.type)" }).sorted().joined(separator: ",")
    }

    /// One line per issue, for alerts: "• crm-contacts sync lag: …".
    public var summary: String {
        issues.isEmpty ? "all \(pipelines.count) pipelines healthy" : issues.map { "• \($0.message)" }.joined(separator: "\n")
    }

    public var table: String {
        func ago(_ d: Date?) -> String { d.map { DurationParser.format(max(0, checkedAt.timeIntervalSince($0))) + " ago" } ?? "never" }
        func n(_ i: Int?) -> String { i.map(String.init) ?? "-" }
        let header = ["PIPELINE", "STATUS", "LAST RUN", "LAST SUCCESS", "LAG/MAX", "FAILED 1h/24h", "REJECTS 24h", "INBOX pend/dead", "CONFLICTS pend/esc"]
        var rows = [header]
        for p in pipelines {
            let lag = p.maxLagSeconds.map { DurationParser.format($0) } ?? "-"
            rows.append([p.name, p.status.name, "\(ago(p.lastRunAt))\(p.lastRunStatus.map { " (\($0))" } ?? "")", ago(p.lastSuccessAt),
                         "\(p.lagSeconds.map { DurationParser.format($0) } ?? "-")/\(lag)",
                         "\(p.failures1h)/\(p.failures24h)", n(p.rejects24h),
                         "\(n(p.inboxPending))/\(n(p.inboxDead))", "\(n(p.conflictsPending))/\(n(p.conflictsEscalated))"])
        }
        let widths = header.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        var out = rows.map { row in
            row.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
        out += "\n" + (issues.isEmpty ? "status: healthy" : "status: \(status.name)\n" + summary) + "\n"
        return out
    }

    /// Prometheus text exposition (node_exporter textfile collector convention).
    public var prometheus: String {
        var out = ""
        func family(_ name: String, _ help: String, _ samples: [(labels: String, value: Double?)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for s in samples { if let v = s.value { out += "\(name){\(s.labels)} \(Self.number(v))\n" } }
        }
        func label(_ p: PipelineHealth, _ extra: String = "") -> String { "pipeline=\"\(Self.escape(p.name))\"" + extra }
        out += "# HELP etl_health_status Overall health: 0 healthy, 1 degraded, 2 unhealthy.\n# TYPE etl_health_status gauge\n"
        out += "etl_health_status \(status.rawValue)\n"
        family("etl_pipeline_health_status", "Pipeline health: 0 healthy, 1 degraded, 2 unhealthy.",
               pipelines.map { (label($0), Double($0.status.rawValue)) })
        family("etl_pipeline_last_run_timestamp_seconds", "Start of the last run.", pipelines.map { (label($0), $0.lastRunAt?.timeIntervalSince1970) })
        family("etl_pipeline_last_success_timestamp_seconds", "End of the last successful run.",
               pipelines.map { (label($0), $0.lastSuccessAt?.timeIntervalSince1970) })
        family("etl_pipeline_lag_seconds", "Seconds since the last successful run.", pipelines.map { (label($0), $0.lagSeconds) })
        family("etl_pipeline_failed_runs", "Failed runs in the window.",
               pipelines.flatMap { [(label($0, ",window=\"1h\""), Double($0.failures1h)), (label($0, ",window=\"24h\""), Double($0.failures24h))] })
        family("etl_pipeline_rejected_records", "Records rejected by runs in the window.",
               pipelines.flatMap { [(label($0, ",window=\"1h\""), $0.rejects1h.map(Double.init)), (label($0, ",window=\"24h\""), $0.rejects24h.map(Double.init))] })
        family("etl_pipeline_stuck_runs", "Runs marked running for longer than the timeout.", pipelines.map { (label($0), Double($0.stuckRuns)) })
        family("etl_inbox_events", "Webhook inbox events by status.",
               pipelines.flatMap { [(label($0, ",status=\"pending\""), $0.inboxPending.map(Double.init)), (label($0, ",status=\"dead\""), $0.inboxDead.map(Double.init))] })
        family("etl_inbox_oldest_pending_seconds", "Age of the oldest pending webhook event.", pipelines.map { (label($0), $0.inboxOldestPendingSeconds) })
        family("etl_sync_conflicts", "Rows of sync_conflicts in the pipeline's database by status.",
               pipelines.flatMap { [(label($0, ",status=\"pending\""), $0.conflictsPending.map(Double.init)), (label($0, ",status=\"escalated\""), $0.conflictsEscalated.map(Double.init))] })
        return out
    }

    static func number(_ v: Double) -> String { v.rounded() == v && abs(v) < 1e15 ? String(Int64(v)) : String(v) }
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
