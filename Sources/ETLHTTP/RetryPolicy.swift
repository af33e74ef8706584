import Foundation

/// Retries a request on failures that may go away: network errors, timeouts,
/// 429 and 5xx. Other 4xx are the caller's mistake and fail at once.
///
/// The backoff list is the whole schedule: `[5, 15, 45]` means one try plus
/// three retries, waiting 5 s, 15 s, then 45 s before them.
///
/// `Retry-After` is honoured but capped by the current step: the wait is
/// `min(Retry-After, backoff[step])`. A server may ask us to come back sooner,
/// never later than the pipeline's own schedule allows — a run stays bounded
/// in time however the server answers.
public struct RetryPolicy {
    public var backoff: [Double]
    /// Injected so tests run without waiting.
    public var sleep: (Double) -> Void
    public var now: () -> Date
    /// Checked before every attempt: once true, no further request is sent.
    public var isCancelled: () -> Bool = { false }
    /// Share of each backoff step left to chance: with 0.5 a 10 s step waits 5–10 s, so requests
    /// that failed together (a 503 burst) do not all come back together. A server's Retry-After
    /// is honoured as asked (within the step) and not jittered.
    public var jitter: Double = 0
    /// Uniform in 0..<1; injected so tests can pin the jitter.
    public var random: () -> Double = { Double.random(in: 0..<1) }

    public init(backoff: [Double] = [5, 15, 45],
                sleep: @escaping (Double) -> Void = { Thread.sleep(forTimeInterval: $0) },
                now: @escaping () -> Date = Date.init) {
        self.backoff = backoff.map { max(0, $0) }
        self.sleep = sleep
        self.now = now
    }

    /// One try, no retries.
    public static var none: RetryPolicy { RetryPolicy(backoff: []) }

    public var maxAttempts: Int { backoff.count + 1 }

    public static func isRetryable(status: Int) -> Bool { status == 429 || (500...599).contains(status) }

    /// Seconds to wait before retry number `retryIndex` (0-based), given the failed response if any.
    public func delay(beforeRetry retryIndex: Int, response: HTTPResponse?) -> Double {
        guard retryIndex >= 0, retryIndex < backoff.count else { return 0 }
        let cap = backoff[retryIndex]
        if let header = response?.headers["Retry-After"], let asked = RetryAfter.seconds(header, now: now()) {
            return min(asked, cap)
        }
        let spread = min(1, max(0, jitter))
        return spread > 0 ? cap * (1 - spread * random()) : cap
    }

    /// Sends `request` until it succeeds (status < 400) or the schedule runs out.
    /// Throws `HTTPError` carrying the attempt count and the last status or failure;
    /// a non-retryable 4xx throws at once with the status and a body excerpt.
    public func run(_ request: HTTPRequest, client: HTTPTransport, log: (String) -> Void = { _ in }) throws -> HTTPResponse {
        let (response, attempts) = try sendWithRetries(request, client: client, log: log)
        guard response.status < 400 else {
            throw HTTPError(kind: .status(response.status), method: request.method.rawValue, url: request.url,
                            attempts: attempts, bodyExcerpt: response.bodyExcerpt())
        }
        return response
    }

    /// Like `run`, but hands back the last response whatever its status, for callers
    /// that read error bodies themselves (S3's XML codes). Throws only when no
    /// response came at all (network failure or timeout on the last attempt).
    public func sendWithRetries(_ request: HTTPRequest, client: HTTPTransport,
                                log: (String) -> Void = { _ in }) throws -> (response: HTTPResponse, attempts: Int) {
        let target = "\(request.method.rawValue) \(URLRedaction.redact(request.url))"
        var attempt = 0
        while true {
            // A cancelled run (signal, timeout) ends here, even right after a backoff wait.
            if isCancelled() { throw HTTPError(kind: .cancelled, method: request.method.rawValue, url: request.url, attempts: attempt) }
            attempt += 1
            let outcome: String
            var failedResponse: HTTPResponse? = nil
            do {
                let response = try client.send(request)
                guard response.status >= 400, RetryPolicy.isRetryable(status: response.status), attempt < maxAttempts else {
                    return (response, attempt)
                }
                outcome = "returned HTTP \(response.status)"
                failedResponse = response
            } catch var error as HTTPError {
                error.attempts = attempt
                guard error.isRetryable, attempt < maxAttempts else { throw error }
                outcome = error.kind == .timeout ? "timed out" : "failed (\(error.message))"
            }
            let wait = delay(beforeRetry: attempt - 1, response: failedResponse)
            log("\(target) \(outcome) on attempt \(attempt) of \(maxAttempts); retrying in \(Self.format(wait))s")
            if wait > 0 { sleep(wait) }
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
