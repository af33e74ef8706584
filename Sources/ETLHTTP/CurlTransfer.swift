import CCurl
import Foundation

/// One request applied to a curl easy handle, and its answer read back.
/// Shared by `HTTPClient` (one transfer at a time) and `HTTPMultiClient`
/// (many at once), so both send exactly the same bytes for a request.
final class CurlTransfer {
    let request: HTTPRequest
    let state: TransferState
    private var headerList: UnsafeMutablePointer<curl_slist>?

    /// Refuses what curl must never be asked to send (line breaks in headers, writes to file://).
    static func check(_ request: HTTPRequest) throws {
        if isFile(request) && request.method != .get && request.method != .head {
            throw HTTPError(kind: .invalidRequest("file:// URLs can only be read (GET)"), method: request.method.rawValue, url: request.url)
        }
        for (name, value) in request.headers where hasLineBreak(name) || hasLineBreak(value) || name.isEmpty {
            throw HTTPError(kind: .invalidRequest("header '\(name)' has an empty name or a line break"),
                            method: request.method.rawValue, url: request.url)
        }
    }

    /// Bodies up to this size are sent from a copy together with the headers.
    static let inlineBodyLimit = 64 * 1024

    static func isFile(_ request: HTTPRequest) -> Bool { request.url.lowercased().hasPrefix("file:") }

    /// Resets `handle` (its connection cache stays) and sets every option for `request`.
    /// The transfer must outlive the handle's use: curl reads its state through raw pointers.
    init(_ request: HTTPRequest, on handle: UnsafeMutableRawPointer, userAgent: String,
         errorBuffer: UnsafeMutablePointer<CChar>, abortWhen: (() -> Bool)?,
         onProgress: ((_ received: Int64, _ expected: Int64) -> Void)? = nil) {
        self.request = request
        state = TransferState(upload: request.body ?? Data())
        state.shouldAbort = abortWhen
        state.onProgress = onProgress
        if let path = request.bodyFile { state.spool = BodySpool(path: path) }
        let statePointer = Unmanaged.passUnretained(state).toOpaque()

        curl_easy_reset(handle)
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

        // A small body goes out with the headers in one write (curl keeps a copy); a large
        // one (an archived payload) streams from the read callback instead of being copied.
        let body = request.body ?? Data()
        let bodySize = curl_off_t(body.count)
        let inline = body.count <= Self.inlineBodyLimit
        var postStyle = false
        switch request.method {
        case .get:
            _ = etl_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case .head:
            _ = etl_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        case .put where !inline:
            _ = etl_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            _ = etl_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, bodySize)
            _ = etl_curl_setopt_readfunction(handle, CurlCallbacks.read)
            _ = etl_curl_setopt_pointer(handle, CURLOPT_READDATA, statePointer)
        case .delete where request.body == nil:
            _ = etl_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, "DELETE")
        case .post, .put, .patch, .delete:
            postStyle = true
            _ = etl_curl_setopt_long(handle, CURLOPT_POST, 1)
            _ = etl_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, bodySize)
            if inline {
                if body.isEmpty {
                    _ = etl_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
                } else {
                    _ = body.withUnsafeBytes { etl_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress)) }
                }
            } else {
                _ = etl_curl_setopt_readfunction(handle, CurlCallbacks.read)
                _ = etl_curl_setopt_pointer(handle, CURLOPT_READDATA, statePointer)
            }
            if request.method != .post { _ = etl_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue) }
        }

        var lines = request.headers.map { name, value in value.isEmpty ? "\(name);" : "\(name): \(value)" }
        let named = { (n: String) in request.headers.contains { HeaderName.same($0.0, n) } }
        if !named("Expect") { lines.append("Expect:") }   // no 100-continue round trip
        if postStyle && !named("Content-Type") {
            lines.append("Content-Type:")   // not curl's form default
        }
        for line in lines { headerList = curl_slist_append(headerList, line) }
        _ = etl_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
    }

    deinit { curl_slist_free_all(headerList) }

    /// What the finished transfer left on `handle`: the response, or the error curl reported.
    func outcome(_ code: CURLcode, handle: UnsafeMutableRawPointer, errorBuffer: UnsafeMutablePointer<CChar>) -> Result<HTTPResponse, HTTPError> {
        var totalTime = 0.0
        _ = etl_curl_getinfo_double(handle, CURLINFO_TOTAL_TIME, &totalTime)
        let isFile = Self.isFile(request)
        state.spool?.finish()
        guard code == CURLE_OK else {
            if code == CURLE_WRITE_ERROR, let failure = state.spool?.failure {
                return .failure(HTTPError(kind: .localFile(failure), method: request.method.rawValue, url: request.url))
            }
            if code == CURLE_FILE_COULDNT_READ_FILE {
                // A missing file is the file:// equivalent of 404: not worth retrying.
                return .success(HTTPResponse(status: 404, body: Data("file not found".utf8), latency: totalTime, url: request.url))
            }
            return .failure(HTTPError(kind: Self.errorKind(for: code, errorBuffer: errorBuffer),
                                      method: request.method.rawValue, url: request.url))
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
        return .success(response)
    }

    static func errorKind(for code: CURLcode, errorBuffer: UnsafeMutablePointer<CChar>) -> HTTPError.Kind {
        if code == CURLE_OPERATION_TIMEDOUT { return .timeout }
        if code == CURLE_ABORTED_BY_CALLBACK { return .cancelled }
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        if code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL { return .invalidRequest(detail) }
        if code == CURLE_PARTIAL_FILE { return .network("response body truncated (\(detail))") }
        return .network(detail)
    }

    static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }   // 0 = curl's default / no limit
        return max(1, Int((seconds * 1000).rounded()))
    }

    private static func hasLineBreak(_ s: String) -> Bool { s.utf8.contains { $0 == 13 || $0 == 10 } }
}
