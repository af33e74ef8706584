import Foundation
import ETLPostgres

/// Where blocking libpq work of request handling runs: a few threads of our
/// own, each with its own connections (one per database, opened on first use,
/// reopened after a failure), never the NIO event loops nor Swift's cooperative
/// pool. Requests wait for a free thread in arrival order.
final class BlockingPool: @unchecked Sendable {
    private let lock = NSCondition()
    private var jobs: [(PostgresConnectionSource) -> Void] = []
    private var stopping = false
    private var threads: [Thread] = []

    init(threads count: Int) {
        for i in 0..<max(1, count) {
            let t = Thread { [unowned self] in self.loop() }
            t.name = "etl-serve-db-\(i)"
            threads.append(t)
            t.start()
        }
    }

    /// Runs `body` on a pool thread with a connection to `database`. A connection that failed
    /// is dropped, so the next request tries a fresh one (a restarted server is found again).
    func run<T>(database: String, _ body: @escaping (PostgresConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            submit { source in
                do {
                    let c = try source.connection(database)
                    do { continuation.resume(returning: try body(c)) } catch {
                        source.dropIfBroken(database, error)
                        continuation.resume(throwing: error)
                    }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    private func submit(_ job: @escaping (PostgresConnectionSource) -> Void) {
        lock.lock(); jobs.append(job); lock.signal(); lock.unlock()
    }

    private func loop() {
        let source = PostgresConnectionSource()
        while true {
            lock.lock()
            while jobs.isEmpty && !stopping { lock.wait() }
            if jobs.isEmpty && stopping { lock.unlock(); break }
            let job = jobs.removeFirst()
            lock.unlock()
            job(source)
        }
        source.closeAll()
    }

    func shutdown() {
        lock.lock(); stopping = true; lock.broadcast(); lock.unlock()
    }
}

/// One thread's connections, by database URL.
final class PostgresConnectionSource {
    private var connections: [String: PostgresConnection] = [:]

    func connection(_ database: String) throws -> PostgresConnection {
        if let c = connections[database], c.isOpen { return c }
        connections[database] = nil
        // Short: while the database is down every request waits this long for its 503.
        let c = try PostgresConnection(url: database, connectTimeout: 3, applicationName: "etl serve")
        connections[database] = c
        return c
    }

    /// After an error: a connection that is gone, or left inside a transaction, is not reused.
    func dropIfBroken(_ database: String, _ error: Error) {
        guard let c = connections[database] else { return }
        if c.isInTransaction { _ = try? c.execute("ROLLBACK") }
        if !c.isOpen || (error as? PostgresError)?.isConnectionFailure == true || c.isInTransaction {
            c.close()
            connections[database] = nil
        }
    }

    func closeAll() {
        for c in connections.values { c.close() }
        connections.removeAll()
    }
}
