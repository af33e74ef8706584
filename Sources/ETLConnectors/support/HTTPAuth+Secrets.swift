import ETLCore
import ETLHTTP
import Foundation

extension HTTPAuth {
    /// Registers the credential's secret with the redactor (for basic auth also
    /// its base64 form, as sent): the driver knows nothing of redaction.
    public func registerSecrets() {
        switch self {
        case .bearer(let token):
            Redactor.shared.add(token)
        case .basic(let user, let password):
            Redactor.shared.add(password)
            Redactor.shared.add(Data("\(user):\(password)".utf8).base64EncodedString())
        case .header(_, let value):
            Redactor.shared.add(value)
        }
    }
}
