import Foundation
import ETLCore

/// A background thread that enforces the run timeout and lets notifier rules
/// speak while the run is still going ("still running after 15m").
final class Watchdog {
    private let interval: Double
    private let timeout: Double
    private let context: RunContext
    private let tick: () -> Void
    private var thread: Thread?
    private let stopped = NSCondition()
    private var isStopped = false

    init(context: RunContext, timeout: Double, interval: Double, tick: @escaping () -> Void) {
        self.context = context; self.timeout = timeout; self.interval = interval; self.tick = tick
    }

    func start() {
        let t = Thread { [weak self] in self?.loop() }
        t.name = "etl-watchdog"
        thread = t
        t.start()
    }

    private func loop() {
        stopped.lock()
        while !isStopped {
            _ = stopped.wait(until: Date().addingTimeInterval(interval))
            if isStopped { break }
            stopped.unlock()
            if context.elapsed > timeout {
                context.cancel("timed out after \(DurationParser.format(timeout))")
            }
            tick()
            stopped.lock()
        }
        stopped.unlock()
    }

    func stop() {
        stopped.lock(); isStopped = true; stopped.signal(); stopped.unlock()
    }
}

/// SIGTERM and SIGINT cancel the run: the runner then rolls back, marks the run
/// failed and releases the lock before exiting.
final class SignalCancellation {
    private var sources: [DispatchSourceSignal] = []

    init(context: RunContext) {
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            let name = sig == SIGTERM ? "SIGTERM" : "SIGINT"
            source.setEventHandler { context.cancel("received \(name)") }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        sources.forEach { $0.cancel() }
        signal(SIGTERM, SIG_DFL); signal(SIGINT, SIG_DFL)
    }
}
