/// How a pipeline (or all of them) is doing; `etl status` exits with the raw value.
public enum HealthStatus: Int, Comparable, Sendable {
    case healthy = 0, degraded = 1, unhealthy = 2

    public var name: String {
        switch self {
        case .healthy: return "healthy"
        case .degraded: return "degraded"
        case .unhealthy: return "unhealthy"
        }
    }

    public static func < (a: HealthStatus, b: HealthStatus) -> Bool { a.rawValue < b.rawValue }
}

/// One thing wrong with a pipeline, with the status it causes.
public struct HealthIssue: Sendable {
    public var pipeline: String
    /// A stable name for alert rules and dashboards: sync_lag, last_run_failed, …
    public var type: String
    public var severity: HealthStatus
    public var message: String
}
