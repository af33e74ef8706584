import Foundation
import ETLCore
import ETLConfig

/// The run's variables — what the ledger columns, notify rules and the
/// summary line read — and the one line a run leaves in the log.
final class RunReport {
    let spec: PipelineSpec
    let context: RunContext
    /// `vars:` of this run, evaluated once at its start.
    var vars = Fields()

    init(spec: PipelineSpec, context: RunContext) { self.spec = spec; self.context = context }

    static let counters = ["records_read", "records_rejected", "records_written", "items_changed", "inserted", "updated",
                           "deleted", "conflicts", "emails_sent", "emails_failed", "pages_fetched",
                           "requests_sent", "requests_succeeded", "requests_failed"]

    /// Shown in the summary line only by runs that made HTTP requests as a stage.
    static let requestCounters = ["requests_sent", "requests_succeeded", "requests_failed"]

    func variables(_ status: RunStatus, error: String? = nil) -> Fields {
        var v = vars
        v["pipeline"] = .string(spec.name)
        v["run_id"] = .string(context.runID)
        v["status"] = .string(status.rawValue)
        // The error goes to the ledger and to notifiers: both are edges.
        // Capped after redaction, so no secret survives half-cut.
        v["error"] = error.map { .string(MessageCap.cap(context.redactor.redact($0))) } ?? .null
        v["started_at"] = .timestamp(context.startedAt)
        let elapsed = context.elapsed
        v["duration"] = .double(elapsed)
        v["duration_ms"] = .int(Int64(elapsed * 1000))
        v["dry_run"] = .bool(context.dryRun)
        for name in Self.counters { v[name] = .int(context.metrics.count(name)) }
        v["api_latency_ms"] = context.metrics.value("api_latency_ms") ?? .null
        v["archive_path"] = context.metrics.value("archive_path") ?? .null
        return v
    }

    /// Quiet on success: one summary line. Loud on failure: the error on stderr.
    func log(_ v: Fields, error: String?) {
        var fields = Fields()
        for name in ["records_read", "records_written", "records_rejected", "items_changed", "api_latency_ms", "duration_ms", "archive_path"] {
            if let value = v[name], !value.isNull { fields[name] = value }
        }
        if let label = context.metrics.value("filter_dropped_all"), !label.isNull { fields["warning"] = .string("\(label.text) dropped every record") }
        for name in Self.requestCounters where context.metrics.count(name) > 0 { fields[name] = .int(context.metrics.count(name)) }
        for (name, value) in context.metrics.snapshot where name.hasSuffix("_ms") && fields[name] == nil { fields[name] = value }
        if context.dryRun {
            // Nothing was written: a dry run's summary says what would have been.
            fields = Fields(fields.map { ($0.0 == "records_written" ? "would_write" : $0.0 == "items_changed" ? "would_change" : $0.0, $0.1) })
        }
        if let error {
            context.logger.error("\(spec.name) failed: \(error)", fields)
        } else {
            context.logger.summary("\(spec.name) \(v["status"]?.text ?? "") run=\(context.runID)", fields)
        }
    }
}
