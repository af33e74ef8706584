/// How one request of a batch ended after its retries: the last response
/// whatever its status, or the error when no response came at all.
public struct HTTPExchange: Sendable {
    public var response: HTTPResponse?
    /// Network failure, timeout, a request that cannot be sent, or cancellation.
    public var error: HTTPError?
    /// Times the request went on the wire (0 when it never did).
    public var attempts: Int

    public init(response: HTTPResponse? = nil, error: HTTPError? = nil, attempts: Int) {
        self.response = response; self.error = error; self.attempts = attempts
    }
}
