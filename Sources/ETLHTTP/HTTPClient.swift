import CCurl
import Foundation

/// Sends HTTP(S) requests and reads `file://` URLs through libcurl.
///
/// Owns one curl easy handle for its whole life: curl keeps the connection
/// (and TLS session, DNS entry) between requests, so calls to the same host
/// reuse it. One request at a time; concurrent callers are serialised.
public final class HTTPClient: HTTPTransport {
    private let handle: UnsafeMutableRawPointer?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let lock = NSLock()
    public var userAgent: String
    /// Checked while a transfer runs (about once a second, even when it stalls):
    /// returning true aborts it with `.cancelled`. Set by callers whose run can be cancelled.
    public var abortWhen: (() -> Bool)?
    /// Told during a transfer how many body bytes arrived and how many the response
    /// announced (Content-Length; 0 when unknown), for a progress display.
    public var onDownloadProgress: ((_ received: Int64, _ expected: Int64) -> Void)?

    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(userAgent: String = "etl/1.0") {
        _ = HTTPClient.globalInit
        self.userAgent = userAgent
        handle = curl_easy_init()
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
        errorBuffer.deallocate()
    }

    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        lock.lock(); defer { lock.unlock() }
        guard let handle else {
            throw HTTPError(kind: .invalidRequest("libcurl could not be initialised"), method: request.method.rawValue, url: request.url)
        }
        try CurlTransfer.check(request)
        // Reset keeps the connection cache; every option is set afresh.
        let transfer = CurlTransfer(request, on: handle, userAgent: userAgent, errorBuffer: errorBuffer, abortWhen: abortWhen,
                                    onProgress: onDownloadProgress)
        if let failure = transfer.state.spool?.failure {
            throw HTTPError(kind: .localFile(failure), method: request.method.rawValue, url: request.url)
        }
        let code = withExtendedLifetime(transfer) { curl_easy_perform(handle) }
        return try transfer.outcome(code, handle: handle, errorBuffer: errorBuffer).get()
    }
}
