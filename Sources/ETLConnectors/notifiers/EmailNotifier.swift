import Foundation
import ETLCore
import ETLHTTP
import ETLExpr
import struct ETLExpr.Expression

/// Sends the run summary by e-mail over SMTP (smtp:// with STARTTLS, or smtps://).
/// The server URL and password are secrets: they never appear in logs or errors.
public final class EmailNotifier: NotifierConnector {
    public static let spec = ConnectorSpec(
        kind: .notifier, name: "email",
        summary: "E-mail the run summary over SMTP (STARTTLS or smtps://, optional login).",
        description: """
        The body is the rule's `message` (if any) followed by the run summary (counts, duration, error). \
        Each rule fires at most once per run; a failed send is logged and never fails the run.
        """,
        options: [
            OptionSpec("url", .secret, required: true, doc: "Mail server: smtp://host:25 or :587 (STARTTLS per `starttls`), smtps://host:465 (TLS). Treated as a secret.", example: "${SMTP_URL}"),
            OptionSpec("from", .string, required: true, doc: "Sender: user@host or \"Name <user@host>\".", example: "\"etl <etl@example.com>\""),
            OptionSpec("to", .list(.string), required: true, doc: "Recipients; a single value may list several separated by commas.", example: "${SHIPMENTS_MAIL_TO}"),
            OptionSpec("subject", .string, default: "[etl] {{ pipeline }} {{ status }}",
                       doc: "Subject template: `{{ … }}` expressions over the run variables.", example: "\"Shipments synced: {{ records_written }}\""),
            OptionSpec("username", .string, doc: "Login for SMTP AUTH (with `password`)."),
            OptionSpec("password", .secret, doc: "Password for SMTP AUTH.", example: "${SMTP_PASSWORD}"),
            OptionSpec("starttls", .oneOf(["try", "required", "off"]), default: "try",
                       doc: "smtp:// only: `required` refuses to send unless the connection is upgraded to TLS (use it whenever a password is sent); `try` upgrades when offered; `off` never does."),
            OptionSpec("verify_tls", .bool, default: true, doc: "Verify the server certificate (never turn off in production)."),
            OptionSpec("timeout", .duration, default: .double(30), doc: "Time allowed for the whole send."),
        ],
        example: """
        notify:
          - type: email
            url: ${SMTP_URL}
            from: "etl <etl@example.com>"
            to: [ops@example.com]
            subject: "{{ pipeline }}: {{ records_written }} records"
            username: etl
            password: ${SMTP_PASSWORD}
            starttls: required
            when: status == "completed" and records_written > 0
        """)

    let client: SMTPClient
    let from: String
    let to: [String]
    let subject: Template

    public init(options: Options, context: BuildContext) throws {
        let url = options.string("url") ?? ""
        Redactor.shared.add(url)
        // Values emptied by an unset variable are checked when the run resolves them, not here:
        // `etl validate` builds every connector without production secrets.
        let lower = url.lowercased()
        guard url.isEmpty || lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://") else {
            throw options.error("url", "email url must start with smtp:// or smtps://", hint: "e.g. smtp://mail.example.com:587")
        }
        from = options.string("from") ?? ""
        to = options.strings("to").flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if !from.isEmpty, let problem = MailMessage.problem(with: from) { throw options.error("from", "email from: \(problem)") }
        for address in to {
            if let problem = MailMessage.problem(with: address) { throw options.error("to", "email to: \(problem)") }
        }
        do { subject = try Expression.compileTemplate(options.string("subject") ?? "[etl] {{ pipeline }} {{ status }}") }
        catch { throw options.error("subject", "email subject: \(error)") }
        let password = options.string("password")
        if options.has("password") && !options.has("username") {
            throw options.error("password", "email password is set but username is not")
        }
        client = SMTPClient(url: url, username: options.string("username"), password: password,
                            starttls: SMTPClient.STARTTLS(rawValue: options.string("starttls") ?? "try") ?? .opportunistic,
                            verifyTLS: options.bool("verify_tls", default: true),
                            connectTimeout: min(10, options.duration("timeout") ?? 30),
                            timeout: options.duration("timeout") ?? 30)
    }

    public func send(_ notification: RunNotification, _ context: RunContext) throws {
        guard !to.isEmpty else { throw ETLError("email has no recipients (`to` is empty)") }
        let title = subject.render(record: Fields(), variables: notification.variables, now: Date())
        let body = notification.title + "\n\n" + notification.text.replacingOccurrences(of: " · ", with: "\n") + "\n"
        try client.send(MailMessage(from: from, to: to, subject: title, body: Redactor.shared.redact(body)))
    }
}
