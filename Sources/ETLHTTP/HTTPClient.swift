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
        let isFile = request.url.lowercased().hasPrefix("file:")
        if isFile && request.method != .get && request.method != .head {
            throw HTTPError(kind: .invalidRequest("file:// URLs can only be read (GET)"), method: request.method.rawValue, url: request.url)
        }
        for (name, value) in request.headers where Self.hasLineBreak(name) || Self.hasLineBreak(value) || name.isEmpty {
            throw HTTPError(kind: .invalidRequest("header '\(name)' has an empty name or a line break"),
                            method: request.method.rawValue, url: request.url)
        }

        // Reset keeps the connection cache; every option is set afresh below.
        curl_easy_reset(handle)
        let state = TransferState(upload: request.body ?? Data())
        state.shouldAbort = abortWhen
        if let path = request.bodyFile {
            let spool = BodySpool(path: path)
            if let failure = spool.failure { throw HTTPError(kind: .localFile(failure), method: request.method.rawValue, url: request.url) }
            state.spool = spool
        }
        defer { state.spool?.finish() }
        let statePointer = Unmanaged.passUnretained(state).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }

        errorBuffer[0] = 0
        _ = etl_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = etl_curl_setopt_string(handle, CURLOPT_URL, request.url)
        _ = etl_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https,file")
        _ = etl_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        _ = etl_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = etl_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
        _ = etl_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.totalTimeout))
        _ = etl_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0)
        _ = etl_curl_setopt_long(handle, CURLOPT_MAXREDIRS, 5)
        _ = etl_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, request.verifyTLS ? 1 : 0)
        _ = etl_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, request.verifyTLS ? 2 : 0)
        _ = etl_curl_setopt_string(handle, CURLOPT_USERAGENT, userAgent)
        _ = etl_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")   // any encoding curl can decode
        _ = etl_curl_setopt_writefunction(handle, CurlCallbacks.write)
        _ = etl_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, statePointer)
        _ = etl_curl_setopt_headerfunction(handle, CurlCallbacks.header)
        _ = etl_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, statePointer)
        if abortWhen != nil {
            _ = etl_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
            _ = etl_curl_setopt_xferinfofunction(handle, CurlCallbacks.progress)
            _ = etl_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, statePointer)
        }

        let bodySize = curl_off_t(request.body?.count ?? 0)
        switch request.method {
        case .get:
            _ = etl_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case .head:
            _ = etl_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        case .put:
            _ = etl_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            _ = etl_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, bodySize)
        case .post:
            _ = etl_curl_setopt_long(handle, CURLOPT_POST, 1)
            _ = etl_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, bodySize)
        case .delete:
            if request.body != nil {
                _ = etl_curl_setopt_long(handle, CURLOPT_POST, 1)
                _ = etl_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, bodySize)
            }
            _ = etl_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, "DELETE")
        }
        if request.method == .put || request.method == .post || request.body != nil {
            _ = etl_curl_setopt_readfunction(handle, CurlCallbacks.read)
            _ = etl_curl_setopt_pointer(handle, CURLOPT_READDATA, statePointer)
        }

        var lines = request.headers.map { name, value in value.isEmpty ? "\(name);" : "\(name): \(value)" }
        let named = { (n: String) in request.headers.contains { $0.0.caseInsensitiveCompare(n) == .orderedSame } }
        if !named("Expect") { lines.append("Expect:") }   // no 100-continue round trip
        if request.method == .post && !named("Content-Type") { lines.append("Content-Type:") }  // not curl's form default
        for line in lines { headerList = curl_slist_append(headerList, line) }
        _ = etl_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        let code = withExtendedLifetime(state) { curl_easy_perform(handle) }
        state.spool?.finish()

        var totalTime = 0.0
        _ = etl_curl_getinfo_double(handle, CURLINFO_TOTAL_TIME, &totalTime)
        guard code == CURLE_OK else {
            if code == CURLE_FILE_COULDNT_READ_FILE {
                // A missing file is the file:// equivalent of 404: not worth retrying.
                return HTTPResponse(status: 404, body: Data("file not found".utf8), latency: totalTime, url: request.url)
            }
            if code == CURLE_WRITE_ERROR, let failure = state.spool?.failure {
                throw HTTPError(kind: .localFile(failure), method: request.method.rawValue, url: request.url)
            }
            throw HTTPError(kind: errorKind(for: code), method: request.method.rawValue, url: request.url)
        }

        var status = 0
        _ = etl_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        if status == 0 && isFile { status = 200 }
        var newConnections = 0
        _ = etl_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &newConnections)
        var effective: UnsafeMutablePointer<CChar>? = nil
        _ = etl_curl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective)

        var response = HTTPResponse(status: status, headers: state.responseHeaders, body: state.responseBody,
                                    latency: totalTime, url: effective.map { String(cString: $0) } ?? request.url)
        response.reusedConnection = !isFile && newConnections == 0
        if state.spoolsBody, let spool = state.spool {
            response.bodyFile = spool.path
            response.bodyFileSize = spool.bytesWritten
        }
        return response
    }

    private func errorKind(for code: CURLcode) -> HTTPError.Kind {
        if code == CURLE_OPERATION_TIMEDOUT { return .timeout }
        if code == CURLE_ABORTED_BY_CALLBACK { return .cancelled }
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        if code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL { return .invalidRequest(detail) }
        if code == CURLE_PARTIAL_FILE { return .network("response body truncated (\(detail))") }
        return .network(detail)
    }

    private static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }   // 0 = curl's default / no limit
        return max(1, Int((seconds * 1000).rounded()))
    }

    private static func hasLineBreak(_ s: String) -> Bool { s.contains("\r") || s.contains("\n") }
}
