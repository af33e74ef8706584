/// What the ledger, the notifiers (`status == "failed"`) and the summary line say of a run.
public enum RunStatus: String, Sendable {
    /// Still going (the ledger row while it runs; "still running" alerts).
    case running
    case completed
    /// Failed or rolled back: the target is as it was.
    case failed
    /// Skipped because another run holds the lock.
    case overlap
    /// The pipeline could not be built; nothing ran.
    case invalid
}
