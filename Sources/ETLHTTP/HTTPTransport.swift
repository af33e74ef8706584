/// Something that sends one HTTP request: `HTTPClient`, or a stand-in in tests.
public protocol HTTPTransport: AnyObject {
    /// Returns the response whatever its status; throws `HTTPError` only when no response came.
    func send(_ request: HTTPRequest) throws -> HTTPResponse
}
