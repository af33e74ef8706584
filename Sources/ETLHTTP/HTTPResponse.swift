import Foundation

public struct HTTPResponse: Sendable {
    /// HTTP status; a successful `file://` read reports 200.
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data
    /// Seconds from the start of the request to the last byte (curl's total time).
    public var latency: Double
    /// The URL answered last (after redirects).
    public var url: String
    /// True when curl sent the request on an already open connection.
    public var reusedConnection: Bool = false
    /// Where the body is when it was written to the request's `bodyFile`; `body` is then empty.
    public var bodyFile: String?
    /// The body's size in bytes, wherever it is.
    public var bodySize: Int { bodyFile != nil ? bodyFileSize : body.count }
    var bodyFileSize = 0

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data(), latency: Double = 0, url: String = "") {
        self.status = status; self.headers = headers; self.body = body; self.latency = latency; self.url = url
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The start of the body, one line, for error messages.
    public func bodyExcerpt(limit: Int = 200) -> String {
        var s = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            .trimmingCharacters(in: .whitespaces)
        if s.count > limit { s = String(s.prefix(limit)) + "…" }
        return s
    }
}
