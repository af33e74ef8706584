import Foundation

/// A connection being opened on a thread of its own, taken when it is first needed.
/// A run opens its sinks' connections this way while its control connection takes the
/// lock, runs the setup SQL and writes the ledger row: opening one costs 5–9 ms of
/// server start-up here, which the run then does not wait for. Never taken, the
/// connection closes when this object goes (with the run's resources).
public final class PendingConnection: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var result: Result<PostgresConnection, Error>?

    public init(url: String) {
        let thread = Thread { [self] in
            let made = Result { try PostgresConnection(url: url) }
            lock.lock(); result = made; lock.unlock()
            done.signal()
        }
        thread.name = "etl-connect"
        thread.start()
    }

    /// The connection, or the error opening it gave — the same one connecting then would
    /// have thrown. Waits for what is left of the connect. Its taker owns the connection.
    public func connection() throws -> PostgresConnection {
        done.wait()
        done.signal()   // a second call finds it done too, instead of waiting forever
        lock.lock(); defer { lock.unlock() }
        return try result!.get()
    }
}
