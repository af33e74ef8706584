import ETLCore

public struct AWSCredentials: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    /// Registers the secret key and session token with the redactor: they never reach a log.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        Redactor.shared.add(secretAccessKey)
        if let sessionToken { Redactor.shared.add(sessionToken) }
    }
}
