/// A failed HTTP exchange. `url` has its password and query values masked
/// (`URLRedaction`); other secrets are for the printing side to scrub.
public struct HTTPError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Equatable, Sendable {
        /// Connection refused, DNS failure, reset, truncated body…: worth retrying.
        case network(String)
        /// The connect or total timeout ran out: worth retrying.
        case timeout
        /// The server answered with this status (raised by `RetryPolicy`, never by `HTTPClient.send`).
        case status(Int)
        /// The request itself cannot be sent (bad URL, unsupported option): retrying will not help.
        case invalidRequest(String)
        /// The caller's run was cancelled (signal, run timeout): the transfer was aborted, never retried.
        case cancelled
        /// The body could not be written to the request's `bodyFile` (disk full, no permission).
        case localFile(String)
    }

    public var kind: Kind
    public var method: String
    /// Masked: no userinfo password, no query values.
    public var url: String
    /// How many times the request was sent (1 without retries).
    public var attempts: Int
    /// Start of the response body for `.status` errors.
    public var bodyExcerpt: String?

    public init(kind: Kind, method: String, url: String, attempts: Int = 1, bodyExcerpt: String? = nil) {
        self.kind = kind; self.method = method
        self.url = URLRedaction.redact(url)
        self.attempts = attempts; self.bodyExcerpt = bodyExcerpt
    }

    /// Network errors, timeouts, 429 and 5xx may succeed on another try.
    public var isRetryable: Bool {
        switch kind {
        case .network, .timeout: return true
        case .status(let code): return RetryPolicy.isRetryable(status: code)
        case .invalidRequest, .cancelled, .localFile: return false
        }
    }

    public var status: Int? {
        if case .status(let code) = kind { return code }
        return nil
    }

    public var message: String {
        var s: String
        switch kind {
        case .network(let why): s = "\(method) \(url) failed: \(why)"
        case .timeout: s = "\(method) \(url) timed out"
        case .status(let code): s = "\(method) \(url) returned HTTP \(code)"
        case .invalidRequest(let why): s = "\(method) \(url) cannot be sent: \(why)"
        case .cancelled: s = "\(method) \(url) was aborted: the run was cancelled"
        case .localFile(let why): s = "\(method) \(url): \(why)"
        }
        if attempts > 1 { s += " (after \(attempts) attempts)" }
        if let bodyExcerpt, !bodyExcerpt.isEmpty { s += ": \(bodyExcerpt)" }
        return s
    }

    public var hint: String {
        switch kind {
        case .network: return "check that the host is reachable from this machine and the URL is right"
        case .timeout: return "the server is slow or unreachable; raise the timeout or retry later"
        case .status(let code) where code == 401 || code == 403: return "check the credentials and their permissions"
        case .status(404): return "check the URL path"
        case .status(429): return "the server is rate limiting; lower the request rate or widen the retry backoff"
        case .status(let code) where code >= 500: return "the server failed; retry later or ask its owners"
        case .status: return "the server rejected the request; the response body above says why"
        case .invalidRequest: return "fix the URL or request options"
        case .cancelled: return "the run was stopped (signal or run timeout); nothing more was sent"
        case .localFile: return "free space in the temporary directory (TMPDIR) or make it writable"
        }
    }

    public var description: String { message + " (hint: \(hint))" }
}
