import Foundation

public enum HTTPMethod: String, Sendable {
    case get = "GET", post = "POST", put = "PUT", patch = "PATCH", head = "HEAD", delete = "DELETE"
}

/// One HTTP request as etl sends it: everything curl needs, nothing more.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    /// Sent in this order; a name may repeat.
    public var headers: [(String, String)]
    public var body: Data?
    /// Seconds to establish the connection (TCP + TLS).
    public var connectTimeout: Double
    /// Seconds for the whole exchange, body included.
    public var totalTimeout: Double
    public var verifyTLS: Bool
    public var followRedirects: Bool
    /// When set, a successful (2xx, or `file://`) response's body is written to this
    /// file as it arrives instead of being kept in memory: created, or emptied at each
    /// attempt. Other statuses keep their (small) bodies in memory for messages.
    public var bodyFile: String?

    public init(method: HTTPMethod = .get, url: String, headers: [(String, String)] = [], body: Data? = nil,
                connectTimeout: Double = 10, totalTimeout: Double = 60,
                verifyTLS: Bool = true, followRedirects: Bool = true) {
        self.method = method; self.url = url; self.headers = headers; self.body = body
        self.connectTimeout = connectTimeout; self.totalTimeout = totalTimeout
        self.verifyTLS = verifyTLS; self.followRedirects = followRedirects
    }

    /// Replaces every header of that name (case-insensitive) with one value.
    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { HeaderName.same($0.0, name) }
        headers.append((name, value))
    }

    public func header(_ name: String) -> String? {
        headers.first { HeaderName.same($0.0, name) }?.1
    }
}
