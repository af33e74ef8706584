/// S3 cannot be used as asked, before any request is sent: the AWS_* environment
/// lacks a key or has a malformed endpoint, or the request itself is impossible
/// (no bucket name, a retention under one day, a URL that cannot be signed).
/// Retrying will not help; the hint says what to change.
public struct S3SetupError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var hint: String

    public init(message: String, hint: String) {
        self.message = message
        self.hint = hint
    }

    public var description: String { message + " (hint: \(hint))" }
}
