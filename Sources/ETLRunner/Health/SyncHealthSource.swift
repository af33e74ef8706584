import Foundation
import ETLCore

/// `etl status` as a source: one record, the health report of the given pipelines, for
/// a monitor pipeline to store (`sync_health_reports`) and alert on (Slack, PagerDuty).
public final class SyncHealthSource: SourceConnector {
    static let pipelines = OptionKey<[String]>("pipelines", default: ["."],
        doc: "Pipeline files or directories to check, relative to this pipeline file (default: its own directory).",
        example: "[crm-contacts.yaml, inventory.yaml]")

    public static let spec = ConnectorSpec(
        kind: .source, name: "sync_health",
        summary: "One record: the health report of the given pipelines (what `etl status` prints).",
        description: """
        Each pipeline is judged from its ledger, the webhook inbox and sync_conflicts against its `health:` thresholds. \
        The record has `checked_at`, `status` (healthy, degraded, unhealthy), counts of pipelines by status, \
        `pending_conflicts`, `escalated_conflicts`, `issue_count`, `summary` (one `• message` line per issue), `signature` (the sorted `pipeline/issue_type` pairs: a stable dedupe key), \
        `issues` (pipeline, type, severity, message) and `pipelines` (every figure per pipeline). \
        A pipeline that cannot be checked (invalid file, database down) is unhealthy, never skipped; the monitor pipeline itself is left out.
        """,
        options: [pipelines],
        example: """
        source:
          type: sync_health
          pipelines: [.]
        """)

    let paths: [String]
    let registry: ConnectorRegistry
    /// The monitor itself is not judged: its own run is in progress (`etl status` covers it).
    let monitor: String

    public init(options: Options, context: BuildContext) throws {
        paths = options[Self.pipelines].map { context.resolvePath($0) }
        registry = context.registry
        monitor = context.pipelineName
    }

    public func read(_ context: RunContext, emit: (Batch) throws -> Void) throws {
        var report = SyncHealthReport.check(paths: paths, registry: registry, now: context.startedAt)
        report.pipelines.removeAll { $0.name == monitor }
        context.logger.info("sync_health: \(report.pipelines.count) pipelines checked, \(report.status.name)")
        context.metrics.add("records_read", 1)
        try emit(Batch([Record(report.value.objectValue ?? Fields(), position: 1)]))
    }
}
