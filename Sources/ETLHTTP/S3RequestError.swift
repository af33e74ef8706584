/// An S3 request that cannot be sent as asked (no bucket name, a retention
/// under one day, a URL that cannot be signed): retrying will not help.
public struct S3RequestError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var hint: String

    public init(message: String, hint: String) {
        self.message = message
        self.hint = hint
    }

    public var description: String { message + " (hint: \(hint))" }
}
