import CCurl
import Foundation

/// Sends e-mail over SMTP with libcurl: `smtp://host:25` (optionally upgraded
/// with STARTTLS) or `smtps://host:465` (TLS from the first byte), with
/// optional AUTH. One message per call; a rejected recipient fails the send.
public final class SMTPClient {
    /// What to do about STARTTLS on `smtp://` URLs (`smtps://` is always encrypted).
    public enum STARTTLS: String, Sendable {
        /// Upgrade when the server offers it, else continue in plain text.
        case opportunistic = "try"
        /// Refuse to send unless the connection is upgraded to TLS.
        case required
        /// Never upgrade (a local relay that offers a broken STARTTLS).
        case off
    }

    public let url: String
    public let username: String?
    public let password: String?
    public let starttls: STARTTLS
    public let verifyTLS: Bool
    public let connectTimeout: Double
    public let timeout: Double

    public init(url: String, username: String? = nil, password: String? = nil, starttls: STARTTLS = .opportunistic,
                verifyTLS: Bool = true, connectTimeout: Double = 10, timeout: Double = 30) {
        self.url = url; self.username = username; self.password = password; self.starttls = starttls
        self.verifyTLS = verifyTLS; self.connectTimeout = connectTimeout; self.timeout = timeout
    }

    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Delivers `message` to every recipient, or throws an `SMTPError` saying why (never with the password).
    public func send(_ message: MailMessage) throws {
        _ = SMTPClient.globalInit
        let where_ = URLRedaction.redact(url)
        let scheme = url.lowercased()
        guard scheme.hasPrefix("smtp://") || scheme.hasPrefix("smtps://") else {
            throw SMTPError(message: "mail server URL \(where_) must start with smtp:// or smtps://", hint: "e.g. smtp://mail.example.com:25 or smtps://mail.example.com:465")
        }
        for mailbox in [message.from] + message.to {
            if let problem = MailMessage.problem(with: mailbox) { throw SMTPError(message: "cannot send mail: \(problem)", hint: "check `from` and `to`") }
        }
        guard !message.to.isEmpty else { throw SMTPError(message: "cannot send mail: no recipients", hint: "set `to`") }
        guard let handle = curl_easy_init() else { throw SMTPError(message: "libcurl could not be initialised") }
        defer { curl_easy_cleanup(handle) }

        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        var recipients: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(recipients) }
        for r in message.to { recipients = curl_slist_append(recipients, "<\(MailMessage.address(r))>") }

        let payload = message.rendered()
        let state = TransferState(upload: payload)
        let statePointer = Unmanaged.passUnretained(state).toOpaque()

        _ = etl_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = etl_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = etl_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        _ = etl_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = etl_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout))
        _ = etl_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout))
        _ = etl_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, verifyTLS ? 1 : 0)
        _ = etl_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, verifyTLS ? 2 : 0)
        if scheme.hasPrefix("smtp://") {
            let mode: Int
            switch starttls {
            case .opportunistic: mode = Int(CURLUSESSL_TRY.rawValue)
            case .required: mode = Int(CURLUSESSL_ALL.rawValue)
            case .off: mode = Int(CURLUSESSL_NONE.rawValue)
            }
            _ = etl_curl_setopt_long(handle, CURLOPT_USE_SSL, mode)
        }
        if let username, !username.isEmpty {
            _ = etl_curl_setopt_string(handle, CURLOPT_USERNAME, username)
            _ = etl_curl_setopt_string(handle, CURLOPT_PASSWORD, password ?? "")
        }
        _ = etl_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(MailMessage.address(message.from))>")
        _ = etl_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
        _ = etl_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
        _ = etl_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(payload.count))
        _ = etl_curl_setopt_readfunction(handle, CurlCallbacks.read)
        _ = etl_curl_setopt_pointer(handle, CURLOPT_READDATA, statePointer)

        let code = withExtendedLifetime(state) { curl_easy_perform(handle) }
        guard code != CURLE_OK else { return }

        var reply = 0
        _ = etl_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        let said = reply > 0 ? " (server replied \(reply))" : ""
        throw SMTPError(message: "sending mail through \(where_) failed: \(detail)\(said)", hint: Self.hint(code, reply: reply))
    }

    private static func hint(_ code: CURLcode, reply: Int) -> String {
        switch code {
        case CURLE_LOGIN_DENIED: return "the server refused the user name or password"
        case CURLE_USE_SSL_FAILED: return "the server does not offer STARTTLS; use smtps://, or starttls: try only on a trusted network"
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST: return "check the mail server's host and port and that it is reachable from here"
        case CURLE_OPERATION_TIMEDOUT: return "the mail server did not answer in time"
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR: return "the TLS handshake or certificate check failed"
        default:
            if reply == 550 || reply == 553 || reply == 554 || reply == 501 { return "the server refused a sender or recipient address" }
            return "check the mail server URL, credentials and addresses"
        }
    }

    private static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return max(1, Int((seconds * 1000).rounded()))
    }
}
