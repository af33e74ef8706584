import ETLCore

/// A pipeline file after validation: every stage resolved against the registry,
/// every option typed. The runner builds connectors from this and nothing else.
public struct PipelineSpec {
    public var file: String
    public var name: String
    public var description: String
    public var schedule: CronSchedule?
    /// Seconds after which the run is cancelled, rolled back and marked failed.
    public var timeout: Double
    public var batchSize: Int
    public var source: StageSpec
    public var transforms: [StageSpec]
    public var sinks: [StageSpec]
    public var notifiers: [NotifierSpec]
    public var setup: SetupSpec?
    public var ledger: LedgerSpec?
    public var lock: LockSpec?
    public var rejects: RejectsPolicy
    /// `vars:` — name → expression source, evaluated once at the start of a run.
    public var vars: [(name: String, expression: String)]
    /// The pipeline file's directory: relative paths (setup SQL, files) resolve against it.
    public var baseDirectory: String
    /// `commit:` — one transaction for the run, or one per source batch.
    public var commit: CommitMode = .run
    /// Secret values of this pipeline (see `PipelineLoader.Result.secrets`): its runs redact them.
    public var secrets: [String] = []
    /// `health:` thresholds for `etl status` and the `sync_health` source.
    public var health = HealthSpec()

    /// The pipeline's own `database:` (where its ledger, lock and setup live), if it has one.
    public var database: String? { ledger?.database ?? lock?.database ?? setup?.database }
    /// `trigger:` — a webhook pipeline, fed by `etl serve` instead of `etl run`.
    public var trigger: TriggerSpec?
}

/// One stage: which connector and its typed options.
public struct StageSpec {
    public var kind: ConnectorKind
    public var type: String
    public var label: String
    public var options: Options
    public var location: SourceLocation
    /// For sinks: take only records routed here by a `route` transform.
    public var route: String?
}

/// A notifier with the rules that decide when it speaks.
public struct NotifierSpec {
    public var stage: StageSpec
    public var rules: [NotifyRule]
}

public struct NotifyRule {
    /// Source text of the condition, e.g. `items_changed > 10000`.
    public var when: String
    public var message: String?
    public var location: SourceLocation
}

/// SQL run before every run, idempotent (CREATE TABLE IF NOT EXISTS …).
public struct SetupSpec {
    public var database: String
    public var sqlFiles: [String]
}

/// Where the run ledger lives: one row per run, `running` at start, then `completed` or `failed`.
public struct LedgerSpec {
    public var database: String
    public var table: String
    /// Ledger column → run variable (`skus_processed: records_written`).
    public var columns: [(column: String, variable: String)]
}

/// Overlap control: an advisory lock on this database under this key.
public struct LockSpec {
    public var database: String
    public var key: String
}

/// What happens to refused records.
public struct RejectsPolicy {
    /// Fail the run (exit 4) when more than this many records are rejected …
    public var maxCount: Int?
    /// … or more than this fraction of the records read.
    public var maxFraction: Double?
    public var sink: StageSpec?
    /// How many rejects are logged one by one before only counting.
    public var logLimit: Int

    public init(maxCount: Int? = nil, maxFraction: Double? = nil, sink: StageSpec? = nil, logLimit: Int = 100) {
        self.maxCount = maxCount; self.maxFraction = maxFraction; self.sink = sink; self.logLimit = logLimit
    }
}

/// How much one transaction covers.
public enum CommitMode: String, Sendable {
    /// The whole run: all or nothing (the default; right for pure database pipelines).
    case run
    /// Each source batch with its cursor: a crash resumes at the last committed batch.
    /// With external side effects (HTTP pushes) the batch in flight at a crash is sent again
    /// (at-least-once, made effectively-once by idempotency keys).
    case batch
}
