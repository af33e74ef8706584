import Foundation
import ServiceLifecycle
import ETLCore
import ETLPostgres
import ETLRunner

/// The threads that drain a pipeline's inbox. Each has its own processor (its
/// own plan) and its own connection; each claim is a transaction of its own, so
/// several threads — and several `etl serve` replicas — share one inbox, never
/// taking the same event (`FOR UPDATE SKIP LOCKED`).
///
/// Idle workers wait for this process's intake to wake them, or 200 ms at most:
/// events stored by another replica are found by that poll (no LISTEN/NOTIFY, which
/// would cost every request a NOTIFY inside its commit).
final class InboxWorkers: Service, @unchecked Sendable {
    struct Pipeline {
        var endpoint: WebhookEndpoint
        var processors: [InboxProcessor]
        var ledger: ServeLedger?
        var totals: RunMetrics
    }

    private let pipelines: [Pipeline]
    private let metrics: ServeMetrics
    private let logger: ETLCore.Logger
    private let batchSize: Int
    private let wake = NSCondition()
    private var wakeups = 0
    private var stopping = false
    private var running = 0

    init(pipelines: [Pipeline], metrics: ServeMetrics, logger: ETLCore.Logger, batchSize: Int) {
        self.pipelines = pipelines; self.metrics = metrics; self.logger = logger; self.batchSize = batchSize
    }

    /// Called by the intake after a commit: an idle worker looks at once.
    func notify() {
        wake.lock(); wakeups += 1; wake.broadcast(); wake.unlock()
    }

    func run() async throws {
        start()
        try? await gracefulShutdown()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread { [self] in stopAndWait(); done.resume() }.start()
        }
    }

    private func start() {
        for pipeline in pipelines {
            for (i, processor) in pipeline.processors.enumerated() {
                wake.lock(); running += 1; wake.unlock()
                let t = Thread { [self] in work(processor, pipeline, i) }
                t.name = "etl-inbox-\(pipeline.endpoint.spec.name)-\(i)"
                t.start()
            }
        }
        // Counted like a worker, so shutdown writes the ledger's last row only after the
        // loop that writes its progress has stopped.
        wake.lock(); running += 1; wake.unlock()
        Thread { [self] in bookkeeping() }.start()
    }

    /// Finishes the batches in hand (they commit or roll back whole) and stops the
    /// bookkeeping loop, then closes each ledger row.
    private func stopAndWait() {
        wake.lock()
        stopping = true
        wake.broadcast()
        while running > 0 { wake.wait() }
        wake.unlock()
        for p in pipelines { p.ledger?.finish(p.totals) }
    }

    private var isStopping: Bool { wake.lock(); defer { wake.unlock() }; return stopping }

    private func work(_ processor: InboxProcessor, _ pipeline: Pipeline, _ index: Int) {
        defer { wake.lock(); running -= 1; wake.broadcast(); wake.unlock() }
        var connection: PostgresConnection?
        let name = pipeline.endpoint.spec.name
        while !isStopping {
            do {
                if connection?.isOpen != true {
                    connection?.close()
                    connection = try PostgresConnection(url: processor.database, connectTimeout: 3, applicationName: "etl serve worker")
                }
                let started = Date()
                let seen = wakeupCount
                let result = try processor.drainOnce(connection!, limit: batchSize) { _, _ in metrics.deadLetter(pipeline: name) }
                if result.done > 0 { metrics.processed(pipeline: name, events: result.done, seconds: Date().timeIntervalSince(started)) }
                if result.claimed == 0 { idle(since: seen, seconds: 0.2) }
            } catch {
                logger.warning("\(name) worker \(index): \(error); retrying in 1s")
                if connection?.isInTransaction == true { _ = try? connection?.execute("ROLLBACK") }
                if (error as? PostgresError)?.isConnectionFailure == true { connection?.close(); connection = nil }
                idle(since: wakeupCount, seconds: 1)
            }
        }
        connection?.close()
    }

    private var wakeupCount: Int { wake.lock(); defer { wake.unlock() }; return wakeups }

    private func idle(since seen: Int, seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        wake.lock()
        while wakeups == seen && !stopping && Date() < deadline { _ = wake.wait(until: deadline) }
        wake.unlock()
    }

    /// Ledger counts and the inbox gauges, every few seconds.
    private func bookkeeping() {
        defer { wake.lock(); running -= 1; wake.broadcast(); wake.unlock() }
        var lastLedger = Date.distantPast
        // One connection per database for the whole life of the loop (reopened after a failure),
        // not a new one every two seconds.
        let connections = PostgresConnectionSource()
        defer { connections.closeAll() }
        while !isStopping {
            for p in pipelines {
                do {
                    let d = try p.endpoint.store.depth(try connections.connection(p.endpoint.database))
                    metrics.depth(pipeline: p.endpoint.spec.name, pending: d.pending, oldestAge: d.oldestAge)
                } catch {
                    connections.dropIfBroken(p.endpoint.database, error)
                }
                if Date().timeIntervalSince(lastLedger) >= 5 { p.ledger?.progress(p.totals) }
            }
            if Date().timeIntervalSince(lastLedger) >= 5 { lastLedger = Date() }
            wake.lock()
            if !stopping { _ = wake.wait(until: Date().addingTimeInterval(2)) }
            wake.unlock()
        }
    }
}
