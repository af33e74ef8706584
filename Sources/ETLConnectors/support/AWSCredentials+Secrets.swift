import ETLCore
import ETLHTTP

extension AWSCredentials {
    /// Registers the secret key and session token with the redactor: the
    /// driver knows nothing of redaction.
    public func registerSecrets() {
        Redactor.shared.add(secretAccessKey)
        if let sessionToken { Redactor.shared.add(sessionToken) }
    }
}
