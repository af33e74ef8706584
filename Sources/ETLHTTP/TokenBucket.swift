import Foundation

/// A request-rate limit: a bucket refilled at `rate` tokens a second, one token
/// per request sent (retries included — the server counts them too).
///
/// The bucket holds at most 50 ms worth of tokens (at least one): a slow
/// limit (`20/s`) is paced evenly, one request every 50 ms, rather than sent
/// in a burst at the start of each second; a fast one is not held back by
/// how often the sending loop wakes up.
public final class TokenBucket: @unchecked Sendable {
    /// Tokens per second.
    public let rate: Double
    public let capacity: Double
    private var tokens: Double
    private var last: Double
    private let lock = NSLock()
    private let clock: () -> Double

    /// `clock` is seconds on a monotonic scale; injected by tests.
    public init(rate: Double, clock: @escaping () -> Double = TokenBucket.monotonicSeconds) {
        precondition(rate > 0, "a rate limit must be positive")
        self.rate = rate
        capacity = max(1, rate * 0.05)
        self.clock = clock
        tokens = 1   // the first request goes at once, later ones at the rate
        last = clock()
    }

    /// Takes a token and returns 0, or returns the seconds until one will be there (taking nothing).
    public func take() -> Double {
        lock.lock(); defer { lock.unlock() }
        let now = clock()
        tokens = min(capacity, tokens + (now - last) * rate)
        last = now
        // A hair's tolerance: 0.05 s × 20/s must make a whole token despite rounding.
        if tokens >= 1 - 1e-9 { tokens = max(0, tokens - 1); return 0 }
        return (1 - tokens) / rate
    }

    public static func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
