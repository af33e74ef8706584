/// Mail could not be sent: a bad URL or address, or what the mail server or
/// libcurl said. Never holds the password.
public struct SMTPError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var hint: String?

    public init(message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String { message + (hint.map { " (hint: \($0))" } ?? "") }
}
