/// The AWS_* environment does not describe a usable S3: a missing key or a
/// malformed endpoint. Raised before any request is sent.
public struct S3ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var hint: String

    public init(message: String, hint: String) {
        self.message = message
        self.hint = hint
    }

    public var description: String { message + " (hint: \(hint))" }
}
