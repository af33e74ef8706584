import ETLCore

/// A pipeline's `health:` thresholds: when `etl status` and the `sync_health` source call it
/// degraded or unhealthy. Every threshold has a default, so a pipeline without the section
/// is still judged sensibly.
public struct HealthSpec: Sendable {
    static let maxLag = OptionKey<Double?>("max_lag", .duration,
        doc: "Degraded when the last successful run is older than this (default: the schedule's interval plus the timeout; not checked without a schedule).",
        example: "45m")
    static let maxLagUnhealthy = OptionKey<Double?>("max_lag_unhealthy", .duration,
        doc: "Unhealthy when the last successful run is older than this (default: four times max_lag).", example: "3h")
    static let maxConsecutiveFailures = OptionKey<Int>("max_consecutive_failures", default: 2,
        doc: "Unhealthy when this many runs in a row failed (one failed last run is degraded).")
    static let maxFailures1h = OptionKey<Int>("max_failures_1h", default: 3,
        doc: "Unhealthy when this many runs failed in the last hour.")
    static let maxFailures24h = OptionKey<Int>("max_failures_24h", default: 5,
        doc: "Degraded when this many runs failed in the last 24 hours.")
    static let maxRejects24h = OptionKey<Int?>("max_rejects_24h",
        doc: "Degraded when runs of the last 24 hours rejected more records than this (needs a ledger column mapped to records_rejected).",
        example: "100")
    static let maxInboxDepth = OptionKey<Int>("max_inbox_depth", default: 1000,
        doc: "Degraded when more webhook events than this wait in `etl_inbox`.")
    static let maxInboxAge = OptionKey<Double>("max_inbox_age", .duration, default: 900,
        doc: "Degraded when the oldest pending webhook event waited longer than this.")
    static let maxDeadEvents = OptionKey<Int>("max_dead_events", default: 0,
        doc: "Degraded when more webhook events than this are dead (gave up after max_attempts).")
    static let maxPendingConflicts = OptionKey<Int>("max_pending_conflicts", default: 100,
        doc: "Degraded when more rows than this of `sync_conflicts` are pending.")
    static let maxEscalatedConflicts = OptionKey<Int?>("max_escalated_conflicts",
        doc: "Degraded when more conflicts than this wait for a person (escalated); not checked by default.", example: "20")

    public static let options: [any OptionDeclaration] = [
        maxLag, maxLagUnhealthy, maxConsecutiveFailures, maxFailures1h, maxFailures24h, maxRejects24h,
        maxInboxDepth, maxInboxAge, maxDeadEvents, maxPendingConflicts, maxEscalatedConflicts,
    ]

    public var maxLag: Double?
    public var maxLagUnhealthy: Double?
    public var maxConsecutiveFailures = 2
    public var maxFailures1h = 3
    public var maxFailures24h = 5
    public var maxRejects24h: Int?
    public var maxInboxDepth = 1000
    public var maxInboxAge: Double = 900
    public var maxDeadEvents = 0
    public var maxPendingConflicts = 100
    public var maxEscalatedConflicts: Int?

    public init() {}

    /// From the checked `health:` block (absent: every default).
    public init(_ o: Options) {
        maxLag = o[Self.maxLag]
        maxLagUnhealthy = o[Self.maxLagUnhealthy]
        maxConsecutiveFailures = max(1, o[Self.maxConsecutiveFailures])
        maxFailures1h = max(1, o[Self.maxFailures1h])
        maxFailures24h = max(1, o[Self.maxFailures24h])
        maxRejects24h = o[Self.maxRejects24h]
        maxInboxDepth = o[Self.maxInboxDepth]
        maxInboxAge = o[Self.maxInboxAge]
        maxDeadEvents = o[Self.maxDeadEvents]
        maxPendingConflicts = o[Self.maxPendingConflicts]
        maxEscalatedConflicts = o[Self.maxEscalatedConflicts]
    }
}
