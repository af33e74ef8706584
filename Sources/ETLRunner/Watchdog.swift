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

/// The last SIGTERM/SIGINT received; set from the C signal handler, read by a polling thread.
private var pendingSignal: sig_atomic_t = 0

/// SIGTERM and SIGINT cancel the run: the runner then rolls back, marks the run
/// failed and releases the lock before exiting; a second signal exits at once. A plain handler only records the
/// signal (all a handler may safely do); a small thread turns it into a cancellation.
final class SignalCancellation {
    private var thread: Thread?
    private let stop = NSCondition()
    private var stopped = false

    init(context: RunContext) {
        for sig in [SIGTERM, SIGINT] {
            signal(sig) { received in
                // The second signal means "now": no cleanup, exit at once (128 + signal, as the shell reports it).
                // Only async-signal-safe calls here; the server drops the lock with the connection.
                if pendingSignal != 0 {
                    let note: StaticString = "etl: second signal, exiting without cleanup\n"
                    _ = write(2, note.utf8Start, note.utf8CodeUnitCount)
                    _exit(128 + received)
                }
                pendingSignal = received
            }
        }
        let t = Thread { [weak self] in
            while true {
                guard let self else { return }
                self.stop.lock()
                if self.stopped { self.stop.unlock(); return }
                _ = self.stop.wait(until: Date().addingTimeInterval(0.1))
                self.stop.unlock()
                let sig = pendingSignal
                if sig != 0 { context.cancel(sig == SIGTERM ? "received SIGTERM" : "received SIGINT") }
            }
        }
        t.name = "etl-signals"
        thread = t
        t.start()
    }

    func cancel() {
        stop.lock(); stopped = true; stop.signal(); stop.unlock()
        signal(SIGTERM, SIG_DFL); signal(SIGINT, SIG_DFL)
    }
}
