import Foundation

/// What every stage sees of the run in progress.
public final class RunContext: @unchecked Sendable {
    public let runID: String
    public let pipeline: String
    public let startedAt: Date
    public let logger: Logger
    /// The run's secrets: what stages print themselves (dry-run previews) passes it.
    public var redactor: Redactor { logger.redactor }
    public let dryRun: Bool
    /// When the run's timeout expires; blocking calls (HTTP requests) cap their own timeouts by it.
    public var deadline: Date?

    /// Seconds left before the deadline (nil without one), never below one second.
    public var remaining: Double? { deadline.map { max(1, $0.timeIntervalSinceNow) } }

    /// A progress display is shown: sources may spend a cheap extra query on a total (a row estimate).
    public var showsProgress = false

    /// Records per batch handed between stages.
    public var batchSize: Int = 10_000
    public let metrics: RunMetrics
    /// Connections and transactions the run's stages share; they end with the run.
    public let resources = RunResources()
    /// Payload-sized scratch files (spooled downloads); removed when the run ends.
    public let temporaryFiles: RunTemporaryFiles
    /// Set when the run must stop (timeout, SIGTERM): long loops check it between batches.
    private let cancelLock = NSLock()
    private var cancelReason: String?

    public init(runID: String, pipeline: String, startedAt: Date = Date(), logger: Logger, dryRun: Bool = false,
                metrics: RunMetrics = RunMetrics()) {
        self.runID = runID; self.pipeline = pipeline; self.startedAt = startedAt
        self.logger = logger; self.dryRun = dryRun; self.metrics = metrics
        temporaryFiles = RunTemporaryFiles(runID: runID)
    }

    /// The same run — id, logger, metrics, deadline, cancellation — with transactions of
    /// its own: for writes that must commit even when the run's data rolls back (rejects).
    public func separateTransactions() -> RunContext {
        let other = RunContext(runID: runID, pipeline: pipeline, startedAt: startedAt, logger: logger, dryRun: dryRun, metrics: metrics)
        other.deadline = deadline
        other.batchSize = batchSize
        other.state = state
        other.vars = vars
        onCancel { [weak self, weak other] in other?.cancel(self?.cancellation ?? "cancelled") }
        return other
    }

    private var cancelHandlers: [() -> Void] = []

    /// Stops the run: long loops see it between batches, and registered handlers
    /// (e.g. cancelling the running SQL statement) are called at once.
    public func cancel(_ reason: String) {
        cancelLock.lock()
        let first = cancelReason == nil
        if first { cancelReason = reason }
        let handlers = cancelHandlers
        cancelLock.unlock()
        if first { handlers.forEach { $0() } }
    }

    /// Registers work to do when the run is cancelled from another thread.
    public func onCancel(_ handler: @escaping () -> Void) {
        cancelLock.lock(); cancelHandlers.append(handler); cancelLock.unlock()
    }
    public var cancellation: String? { cancelLock.lock(); defer { cancelLock.unlock() }; return cancelReason }

    /// Throws if the run was cancelled; called between batches.
    public func checkCancelled() throws {
        if let reason = cancellation { throw ETLError("run cancelled: \(reason)") }
    }

    /// The pipeline's `vars:`, evaluated once at the start of the run.
    public var vars = Fields()

    /// State saved by earlier successful runs (incremental cursors), by key.
    public var state = Fields()
    private var pendingState = Fields()

    /// Records state to keep for the next run. It is saved only after every sink
    /// committed: a failed run never moves a cursor past data it did not write.
    public func saveState(_ key: String, _ value: Value) {
        cancelLock.lock(); pendingState[key] = value; cancelLock.unlock()
    }
    public var stateToSave: Fields { cancelLock.lock(); defer { cancelLock.unlock() }; return pendingState }

    /// Where refused records go: the runner logs, counts and forwards them.
    public var rejectHandler: ((Rejection) -> Void)?

    public func reject(_ rejection: Rejection) { rejectHandler?(rejection) }

    /// Run variables a stage publishes (archive path, API latency) for the ledger and notifiers.
    public func publish(_ name: String, _ value: Value) { metrics.set(name, value) }

    public var elapsed: Double { Date().timeIntervalSince(startedAt) }
}

/// Counters and timings of one run. Thread-safe: the watchdog reads them while stages write.
public final class RunMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var counters: [String: Int64] = [:]
    private var values: [String: Value] = [:]
    private var order: [String] = []

    public init() {}

    public func add(_ name: String, _ n: Int) {
        lock.lock(); defer { lock.unlock() }
        if counters[name] == nil && values[name] == nil { order.append(name) }
        counters[name, default: 0] += Int64(n)
    }

    public func set(_ name: String, _ value: Value) {
        lock.lock(); defer { lock.unlock() }
        if counters[name] == nil && values[name] == nil { order.append(name) }
        values[name] = value
    }

    public func count(_ name: String) -> Int64 { lock.lock(); defer { lock.unlock() }; return counters[name] ?? 0 }
    public func value(_ name: String) -> Value? {
        lock.lock(); defer { lock.unlock() }
        if let c = counters[name] { return .int(c) }
        return values[name]
    }

    /// Times a stage and records `<name>_ms`.
    @discardableResult
    public func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(name + "_ms", Int((DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)) }
        return try body()
    }

    public var snapshot: Fields {
        lock.lock(); defer { lock.unlock() }
        var f = Fields()
        for name in order { f[name] = counters[name].map { .int($0) } ?? values[name] ?? .null }
        return f
    }
}
