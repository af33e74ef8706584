import ETLCore

/// The send loop of the per-record message sinks (the notifier sinks, `email`), run in
/// `didCommit`: the data is committed, so nothing here fails the run. Items go out in
/// order; a cancelled run stops the rest; a failure is logged and counted; a key is
/// remembered only once its message went out, so a failed one is tried again next run.
enum AfterCommitDelivery {
    static func send<T>(_ items: [T], what: String, key: (T) -> String?, store: AlertsSent?, context: RunContext,
                        send: (T) throws -> Void, failure: (T, Error) -> String) -> (sent: Int, failed: Int) {
        var sent = 0, failed = 0
        for (i, item) in items.enumerated() {
            if let reason = context.cancellation {
                context.logger.warning("\(what): run cancelled (\(reason)); \(items.count - i) not sent")
                failed += items.count - i
                break
            }
            do {
                try send(item)
                sent += 1
            } catch {
                failed += 1
                context.logger.warning(failure(item, error))
                continue
            }
            if let key = key(item), let store {
                do { try store.markSent(key) }
                catch { context.logger.warning("\(what): '\(key)' sent but not remembered in \(AlertsSent.table): \(error)") }
            }
        }
        return (sent, failed)
    }
}
