/// The bookkeeping of one `HTTPMultiClient.send`: which requests are new,
/// waiting for a retry, in flight or done.
struct MultiRun {
    struct Active {
        var index: Int
        var transfer: CurlTransfer
        var slot: EasySlot
    }

    let requests: [HTTPRequest]
    var exchanges: [HTTPExchange]
    var attempts: [Int]
    var done: [Bool]
    var unfinished: Int
    var active: [UnsafeMutableRawPointer: Active] = [:]
    /// The next request never sent yet: they go in the order given.
    private var nextFresh = 0
    /// Requests waiting for their backoff step, with the monotonic time they are due.
    private var retries: [(index: Int, due: Double)] = []

    init(requests: [HTTPRequest]) {
        self.requests = requests
        exchanges = requests.map { _ in HTTPExchange(attempts: 0) }
        attempts = Array(repeating: 0, count: requests.count)
        done = Array(repeating: false, count: requests.count)
        unfinished = requests.count
    }

    /// A retry that is due goes first (it has waited already), then the next new request.
    func peekReady(now: Double) -> Int? {
        if let due = retries.first(where: { $0.due <= now }) { return due.index }
        return nextFresh < requests.count ? nextFresh : nil
    }

    func hasReady(now: Double) -> Bool { peekReady(now: now) != nil }

    mutating func popReady(_ index: Int) {
        if let i = retries.firstIndex(where: { $0.index == index }) { retries.remove(at: i) }
        else if index == nextFresh { nextFresh += 1 }
    }

    var nextRetryDue: Double? { retries.map(\.due).min() }

    mutating func retryLater(_ index: Int, at due: Double) { retries.append((index, due)) }

    mutating func finish(_ index: Int, response: HTTPResponse) {
        guard !done[index] else { return }
        exchanges[index] = HTTPExchange(response: response, attempts: attempts[index])
        done[index] = true; unfinished -= 1
    }

    mutating func finish(_ index: Int, error: HTTPError) {
        guard !done[index] else { return }
        var error = error
        error.attempts = max(1, attempts[index])
        exchanges[index] = HTTPExchange(error: error, attempts: attempts[index])
        done[index] = true; unfinished -= 1
    }
}
