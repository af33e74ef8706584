import ETLCore
import ETLHTTP

/// The mail-server options the email sink and the email notifier share, and the
/// SMTP client built from them, so both connect, log in and upgrade to TLS alike.
/// `from` and `timeout` mean the same in both but read differently in each one's
/// docs, so each connector declares them with its own example or doc.
enum SMTPOptions {
    static let url = OptionKey<String>("url", .secret, required: true, doc: "Mail server: smtp://host:25 or :587 (STARTTLS per `starttls`), smtps://host:465 (TLS). Treated as a secret.", example: "${SMTP_URL}")
    static let username = OptionKey<String?>("username", doc: "Login for SMTP AUTH (with `password`).")
    static let password = OptionKey<String?>("password", .secret, doc: "Password for SMTP AUTH.", example: "${SMTP_PASSWORD}")
    static let starttls = OptionKey<String>("starttls", .oneOf(["try", "required", "off"]), default: "try",
        doc: "smtp:// only: `required` refuses to send unless the connection is upgraded to TLS (use it whenever a password is sent); `try` upgrades when offered; `off` never does.")
    static let verifyTLS = OptionKey<Bool>("verify_tls", default: true, doc: "Verify the server certificate (never turn off in production).")

    static func from(example: String) -> OptionKey<String> {
        OptionKey("from", required: true, doc: "Sender: user@host or \"Name <user@host>\".", example: example)
    }

    static func timeout(doc: String) -> OptionKey<Double> {
        OptionKey("timeout", .duration, default: 30, doc: doc)
    }

    /// Refuses a url that is neither smtp:// nor smtps://. An empty one (an unset
    /// variable) passes: the callers say when they refuse it.
    static func checkURL(_ url: String, in options: Options) throws {
        let lower = url.lowercased()
        guard url.isEmpty || lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://") else {
            throw options.error(Self.url, "email url must start with smtp:// or smtps://", hint: "e.g. smtp://mail.example.com:587")
        }
    }

    /// The client for `url`; `timeout` bounds each send (connecting gets at most 10s of it).
    static func client(_ options: Options, url: String, timeout: Double) throws -> SMTPClient {
        if options.has(password) && !options.has(username) {
            throw options.error(password, "email password is set but username is not")
        }
        return SMTPClient(url: url, username: options[username], password: options[password],
                          starttls: SMTPClient.STARTTLS(rawValue: options[starttls]) ?? .opportunistic,
                          verifyTLS: options[verifyTLS],
                          connectTimeout: min(10, timeout), timeout: timeout)
    }
}
