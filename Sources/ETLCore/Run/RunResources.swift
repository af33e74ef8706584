import Foundation

/// Objects the stages of one run share — one database transaction for every
/// `postgres` sink on the same URL — owned by the run, not by a global table,
/// so runs in one process (a server executing several pipelines) never meet.
public final class RunResources: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String: AnyObject] = [:]

    public init() {}

    /// The object under `key`, made by `make` on first use. Callers that join
    /// the shared object (count participants …) do so inside `join`, under the same lock.
    public func shared<T: AnyObject>(_ key: String, make: () throws -> T, join: (T) -> Void = { _ in }) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        if let existing = items[key] as? T { join(existing); return existing }
        let made = try make()
        items[key] = made
        join(made)
        return made
    }

    /// Forgets `key`: the next `shared` call makes a new object (the next execution's transaction).
    public func release(_ key: String) {
        lock.lock(); items[key] = nil; lock.unlock()
    }
}
