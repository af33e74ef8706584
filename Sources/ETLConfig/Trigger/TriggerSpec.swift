import ETLCore

/// `trigger:` of a webhook pipeline: where `etl serve` listens for it, how a
/// request proves where it came from, what is refused at intake, and when it is
/// answered. Everything here is checked by `etl validate` with positions.
public struct TriggerSpec {
    public var path: String
    /// Upper-case HTTP methods.
    public var methods: [String]
    public var verify: WebhookVerification
    public var accept: [AcceptRule]
    public var idempotencyKey: IdempotencyKeyRule
    /// Bytes; a larger body is answered 413 before it is read further.
    public var maxBody: Int
    public var ack: AckMode
    public var maxAttempts: Int
    /// `ack: on_commit` only.
    public var response: WebhookResponses?
    public var location: SourceLocation
}

/// How a request is authenticated; exactly one per trigger.
public enum WebhookVerification {
    case hmac(HMACVerification)
    case apiKey(header: String, secret: String)
    /// Written explicitly (`none: true`): anyone who can reach the port can post.
    case none
}

public struct HMACVerification {
    public enum Algorithm: String, CaseIterable { case sha1, sha256, sha512 }
    public enum Encoding: String, CaseIterable { case hex, base64 }
    public var algorithm: Algorithm
    public var secret: String
    public var header: String
    public var encoding: Encoding
    /// Written before the digest in the header (`sha256=`); stripped before comparing.
    public var prefix: String
    /// When set, the signed payload is `<timestamp>.<raw body>` and old timestamps are refused.
    public var timestampHeader: String?
    /// Seconds a signed timestamp may be away from now.
    public var tolerance: Double

    public init(algorithm: Algorithm, secret: String, header: String, encoding: Encoding, prefix: String,
                timestampHeader: String?, tolerance: Double) {
        self.algorithm = algorithm; self.secret = secret; self.header = header; self.encoding = encoding
        self.prefix = prefix; self.timestampHeader = timestampHeader; self.tolerance = tolerance
    }
}

/// `accept:` — checked in order at intake; the first false answers 400 with its message.
public struct AcceptRule {
    public var when: String
    /// An expression giving the error text; nil: "request not accepted".
    public var message: String?
    public var location: SourceLocation
}

public enum IdempotencyKeyRule {
    /// The SHA-256 of the raw body: an identical re-delivery is a duplicate.
    case bodyHash
    /// An expression over the record (`_raw_body` and `_headers` included).
    case expression(String)
    /// A request header, e.g. `X-Event-Id` (missing → 400).
    case header(String)
}

public enum AckMode: String, CaseIterable {
    /// 202 as soon as the request is in the inbox; workers process it after.
    case onReceipt = "on_receipt"
    /// The request is processed before the answer, which the pipeline's `response:` sets.
    case onCommit = "on_commit"
}

/// `response:` of an `ack: on_commit` trigger.
public struct WebhookResponses {
    public var ok: WebhookResponse
    public var rejected: WebhookResponse
}

public struct WebhookResponse {
    public var status: Int
    /// Field → expression, evaluated on the record (rejected: plus `error` and `current`).
    public var body: [(name: String, expression: String)]
}
