import ETLCore

/// The keys a pipeline file may have at the top level, declared like connector
/// options so `validate` can say "did you mean" and the docs can list them.
public enum PipelineSchema {
    public static let topLevel: [OptionSpec] = [
        OptionSpec("name", .string, required: true, doc: "Pipeline name: used for the lock, the ledger and alerts.", example: "inventory-sync"),
        OptionSpec("description", .string, doc: "What the pipeline does, for people."),
        OptionSpec("schedule", .string, doc: "Cron expression the pipeline is meant to run on (validated; put the same line in the crontab).", example: "\"0 2 * * *\""),
        OptionSpec("timeout", .duration, default: .double(1800), doc: "The run is cancelled, rolled back and marked failed after this long.", example: "30m"),
        OptionSpec("batch_size", .int, default: .int(10_000), doc: "Records per batch passed between stages.", example: "10000"),
        OptionSpec("commit", .oneOf(["run", "batch"]), default: .string("run"),
                   doc: "run: the whole run is one transaction (all or nothing). batch: each source batch commits with its cursor, so a crash resumes at the last committed batch.",
                   example: "batch"),
        OptionSpec("vars", .map(.expression), doc: "Named values for `when:` rules and messages, so thresholds live in one place and `--set vars.NAME=…` can change them.", example: "{change_alert_threshold: 10000, slow_run: 15m}"),
        OptionSpec("database", .secret, doc: "PostgreSQL URL for the ledger, lock and setup SQL (libpq URI or keyword string).", example: "${DATABASE_URL}"),
        OptionSpec("setup", .list(.string), doc: "SQL files run before every run (idempotent DDL), relative to the pipeline file.", example: "[../sql/inventory.sql]"),
        OptionSpec("ledger", .object(ledgerOptions), doc: "Run ledger table: a row per run, `running` then `completed`/`failed`."),
        OptionSpec("lock", .object(lockOptions), doc: "Overlap control with a PostgreSQL advisory lock (on by default when `database` is set)."),
        OptionSpec("trigger", .any, doc: "Webhook pipelines: where `etl serve` receives the requests that are the source (see docs/webhooks.md)."),
        OptionSpec("source", .any, required: true, doc: "The source stage: `type:` plus that connector's options."),
        OptionSpec("transforms", .any, doc: "Transform stages, applied in order."),
        OptionSpec("sink", .any, doc: "The sink stage (or use `sinks:` for several)."),
        OptionSpec("sinks", .any, doc: "Several sink stages; each may take only records of one `route`."),
        OptionSpec("notify", .any, doc: "Notifiers with `when:` rules evaluated on the run's variables."),
        OptionSpec("rejects", .object(rejectsOptions), doc: "What to do with records that fail validation."),
        OptionSpec("health", .block(HealthSpec.options), doc: "Thresholds for `etl status` and the `sync_health` source (lag, failures, rejects, inbox, conflicts); each has a default."),
    ]

    public static let ledgerOptions: [OptionSpec] = [
        OptionSpec("table", .string, default: .string("etl_runs"), doc: "Ledger table (created if missing).", example: "sync_jobs"),
        OptionSpec("columns", .map(.string), doc: "Extra ledger column → run variable, e.g. `skus_processed: records_written`."),
    ]

    public static let lockOptions: [OptionSpec] = [
        OptionSpec("enabled", .bool, default: .bool(true), doc: "Take an advisory lock so two runs never overlap."),
        OptionSpec("key", .string, doc: "Lock name; defaults to the pipeline name."),
    ]

    public static let rejectsOptions: [OptionSpec] = [
        OptionSpec("max", .string, doc: "Fail the run (exit 4) past this many rejects: a count (`100`) or a share of records read (`1%`).", example: "1%"),
        OptionSpec("log_limit", .int, default: .int(100), doc: "Rejects logged one by one before only counting."),
        OptionSpec("sink", .any, doc: "A sink stage that receives rejected records with `_reasons` and `_position` fields."),
    ]

    /// Keys every stage accepts besides its connector's own options.
    public static let stageKeys: Set<String> = ["type", "label"]
    public static let sinkKeys: Set<String> = ["type", "label", "route"]
    public static let notifierKeys: Set<String> = ["type", "label", "when", "message", "rules"]

    /// Run variables that notifier rules and ledger columns may name.
    public static let runVariables: [(name: String, doc: String)] = [
        ("pipeline", "pipeline name"), ("run_id", "this run's id"),
        ("status", "running, completed, failed, partial or overlap; dead_letter for a webhook event given up on"), ("error", "error message of a failed run"),
        ("started_at", "start time"), ("duration", "seconds since the start (compare with `15m`)"),
        ("records_read", "records the source produced"), ("records_rejected", "records refused by any stage"),
        ("records_written", "valid records applied by the sinks"), ("items_changed", "rows inserted or really changed"),
        ("inserted", "rows inserted"), ("updated", "rows updated"), ("deleted", "rows deleted"),
        ("conflicts", "records a postgres sink did not apply because the row is newer (`newer_than`)"),
        ("emails_sent", "messages the email sink delivered"), ("emails_failed", "messages the email sink could not deliver"),
        ("emails_deduplicated", "messages the email sink did not send: same dedupe key in this run or within the window"),
        ("alerts_sent", "per-record alerts (slack, webhook, pagerduty sinks) delivered"),
        ("alerts_failed", "per-record alerts that could not be delivered"),
        ("alerts_deduplicated", "per-record alerts not sent: same dedupe key in this run or within the window"),
        ("alerts_over_limit", "per-record alerts past max_per_run, left for a later run"),
        ("pages_fetched", "pages the http source read"),
        ("requests_sent", "requests the http transform and sink put on the wire, retries included"),
        ("requests_succeeded", "requests answered with a `success_status`"),
        ("requests_failed", "requests that failed for good (their records were rejected)"),
        ("api_latency_ms", "HTTP source latency"), ("archive_path", "where the raw payload was archived"),
        ("duration_ms", "run duration in milliseconds"),
        ("event_id", "webhook pipelines: the inbox event of a dead_letter notification"), ("dry_run", "true under --dry-run"),
    ]
}
