import Foundation

/// Runs a producer on a thread of its own and hands what it makes to the
/// calling thread, in order, through a queue of at most `capacity` items: a
/// source decodes the next batch while the caller's stages (transforms, sinks)
/// work on this one, so a run uses two cores instead of one.
///
/// - `produce` runs on the background thread; it passes each item to `yield`,
///   which blocks while the queue is full and returns false once the consumer
///   has stopped (the producer should then return).
/// - `consume` runs on the calling thread, once per item, in order.
///
/// The call returns only after the producer has returned. An error from
/// `consume` stops the producer and is rethrown; an error from `produce` is
/// rethrown after the items made before it were consumed — the same order of
/// events as producing and consuming on one thread.
public enum BackgroundProducer {
    public static func run<Item>(capacity: Int = 1, name: String = "etl-producer",
                                 produce: @escaping (_ yield: (Item) -> Bool) throws -> Void,
                                 consume: (Item) throws -> Void) throws {
        let state = State<Item>(capacity: max(1, capacity))
        let thread = Thread {
            var failure: Error?
            do { try produce(state.put) } catch { failure = error }
            state.finish(failure)
        }
        thread.name = name
        thread.start()

        while let item = state.take() {
            do { try consume(item) } catch {
                state.stop()
                throw error
            }
        }
        if let failure = state.failure { throw failure }
    }

    private final class State<Item>: @unchecked Sendable {
        let capacity: Int
        let condition = NSCondition()
        var queue: [Item] = []
        var head = 0
        var finished = false
        var stopped = false
        var failure: Error?

        init(capacity: Int) { self.capacity = capacity }

        /// Producer side: false once the consumer stopped.
        func put(_ item: Item) -> Bool {
            condition.lock(); defer { condition.unlock() }
            while queue.count - head >= capacity && !stopped { condition.wait() }
            if stopped { return false }
            if head > 0 && head == queue.count { queue.removeAll(keepingCapacity: true); head = 0 }
            queue.append(item)
            condition.broadcast()
            return true
        }

        func finish(_ error: Error?) {
            condition.lock(); defer { condition.unlock() }
            failure = error
            finished = true
            condition.broadcast()
        }

        /// Consumer side: the next item, or nil once the producer finished and the queue is empty.
        func take() -> Item? {
            condition.lock(); defer { condition.unlock() }
            while head == queue.count && !finished { condition.wait() }
            guard head < queue.count else { return nil }
            let item = queue[head]
            head += 1
            if head == queue.count { queue.removeAll(keepingCapacity: true); head = 0 }
            condition.broadcast()
            return item
        }

        /// The consumer gives up: drops what is queued, unblocks the producer and waits for it to return.
        func stop() {
            condition.lock(); defer { condition.unlock() }
            stopped = true
            queue.removeAll(); head = 0
            condition.broadcast()
            while !finished { condition.wait() }
        }
    }
}
