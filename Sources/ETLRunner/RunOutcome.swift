import ETLCore

/// How a run ended, as cron and CI see it.
public enum RunExitCode: Int32 {
    case success = 0
    /// The run failed; the target is unchanged.
    case failed = 1
    /// The pipeline or command line is invalid; nothing ran.
    case invalidConfig = 2
    /// Another run holds the lock (or is still marked running); nothing was touched.
    case skipped = 3
    /// Too many records were rejected (past `rejects.max`); the run was rolled back.
    case rejectsExceeded = 4
    /// The data committed, but the run's bookkeeping (ledger row, saved cursor) failed:
    /// the target changed, yet the next run may not know it. Needs an operator.
    case bookkeepingFailed = 5
}

public struct RunOutcome {
    public var exitCode: RunExitCode
    public var status: RunStatus
    public var variables: Fields
    /// Why the run failed, before redaction (the variables hold the redacted, capped form).
    var error: String?
    /// Ledger or cursor writes that failed after the data committed.
    var bookkeepingErrors: [String] = []

    init(exitCode: RunExitCode, status: RunStatus, variables: Fields) {
        self.exitCode = exitCode; self.status = status; self.variables = variables
    }
}
