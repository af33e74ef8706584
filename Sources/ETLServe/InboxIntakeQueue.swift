import Foundation
import ETLPostgres
import ETLRunner

/// Group commit for `ack: on_receipt`: requests arriving while a commit is in
/// flight wait here and are stored together by the next one — one INSERT, one
/// WAL flush for up to `maxBatch` events. With fsync on, a flush costs about as
/// much as everything else an insert does, so under load this multiplies the
/// requests a few connections can acknowledge; alone, a request waits for nothing.
/// Each request is still answered only after its own row is committed.
final class InboxIntakeQueue: @unchecked Sendable {
    private struct Waiting {
        var request: InboxStore.Request
        var continuation: CheckedContinuation<Int64?, Error>
    }

    private let store: InboxStore
    private let database: String
    private let pool: BlockingPool
    private let maxWriters: Int
    private let maxBatch: Int
    private let lock = NSLock()
    private var waiting: [Waiting] = []
    private var writers = 0

    init(store: InboxStore, database: String, pool: BlockingPool, maxWriters: Int = 4, maxBatch: Int = 500) {
        self.store = store; self.database = database; self.pool = pool
        self.maxWriters = max(1, maxWriters); self.maxBatch = max(1, maxBatch)
    }

    /// Stores one request; its new id, or nil for a duplicate. Throws what the database threw.
    func insert(_ request: InboxStore.Request) async throws -> Int64? {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            waiting.append(Waiting(request: request, continuation: continuation))
            let startWriter = writers < maxWriters
            if startWriter { writers += 1 }
            lock.unlock()
            if startWriter { startWriting() }
        }
    }

    /// A writer stores what is waiting, batch after batch, until nothing is.
    private func startWriting() {
        Task {
            while let batch = takeBatch() {
                do {
                    let ids = try await pool.run(database: database) { [store] c in
                        try store.insert(c, requests: batch.map(\.request))
                    }
                    for (waiter, id) in zip(batch, ids) { waiter.continuation.resume(returning: id) }
                } catch {
                    for waiter in batch { waiter.continuation.resume(throwing: error) }
                }
            }
        }
    }

    /// The next batch, or nil (and one writer fewer) when nothing waits.
    private func takeBatch() -> [Waiting]? {
        lock.lock(); defer { lock.unlock() }
        if waiting.isEmpty { writers -= 1; return nil }
        let batch = Array(waiting.prefix(maxBatch))
        waiting.removeFirst(batch.count)
        return batch
    }
}
