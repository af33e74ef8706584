import Foundation

/// Credentials sent with a request. Keeping their secrets out of logs is the
/// job of whoever builds them from configuration.
public enum HTTPAuth: Sendable {
    /// `Authorization: Bearer <token>`
    case bearer(token: String)
    /// `Authorization: Basic base64(user:password)`
    case basic(user: String, password: String)
    /// Any header carrying a secret, e.g. `X-API-Key: <key>`.
    case header(name: String, value: String)

    /// The header to send.
    public var header: (String, String) {
        switch self {
        case .bearer(let token):
            return ("Authorization", "Bearer \(token)")
        case .basic(let user, let password):
            let encoded = Data("\(user):\(password)".utf8).base64EncodedString()
            return ("Authorization", "Basic \(encoded)")
        case .header(let name, let value):
            return (name, value)
        }
    }
}

extension HTTPRequest {
    /// Sets the auth header, replacing any earlier one of the same name.
    public mutating func authorize(_ auth: HTTPAuth) {
        let (name, value) = auth.header
        setHeader(name, value)
    }
}
