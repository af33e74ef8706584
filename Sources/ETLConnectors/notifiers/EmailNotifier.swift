import Foundation
import ETLCore
import ETLHTTP
import ETLExpr
import struct ETLExpr.Expression

/// Sends the run summary by e-mail over SMTP (smtp:// with STARTTLS, or smtps://).
/// The server URL and password are secrets: they never appear in logs or errors.
public final class EmailNotifier: NotifierConnector {
    static let from = SMTPOptions.from(example: "\"etl <etl@example.com>\"")
    static let to = OptionKey<[String]>("to", required: true, doc: "Recipients; a single value may list several separated by commas.", example: "${SHIPMENTS_MAIL_TO}")
    static let subject = OptionKey<String>("subject", default: "[etl] {{ pipeline }} {{ status }}",
                                           doc: "Subject template: `{{ … }}` expressions over the run variables.", example: "\"Shipments synced: {{ records_written }}\"")
    static let timeout = SMTPOptions.timeout(doc: "Time allowed for the whole send.")

    public static let spec = ConnectorSpec(
        kind: .notifier, name: "email",
        summary: "E-mail the run summary over SMTP (STARTTLS or smtps://, optional login).",
        description: """
        The body is the rule's `message` (if any) followed by the run summary (counts, duration, error). \
        Each rule fires at most once per run; a failed send is logged and never fails the run.
        """,
        options: [SMTPOptions.url, from, to, subject, SMTPOptions.username, SMTPOptions.password, SMTPOptions.starttls,
                  SMTPOptions.verifyTLS, timeout],
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
        let url = options[SMTPOptions.url]
        // Values emptied by an unset variable are checked when the run resolves them, not here:
        // `etl validate` builds every connector without production secrets.
        try SMTPOptions.checkURL(url, in: options)
        from = options[Self.from]
        to = options[Self.to].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if !from.isEmpty, let problem = MailMessage.problem(with: from) { throw options.error(Self.from, "email from: \(problem)") }
        for address in to {
            if let problem = MailMessage.problem(with: address) { throw options.error(Self.to, "email to: \(problem)") }
        }
        do { subject = try Expression.compileTemplate(options[Self.subject]) }
        catch { throw options.error(Self.subject, "email subject: \(error)") }
        client = try SMTPOptions.client(options, url: url, timeout: options[Self.timeout])
    }

    public func send(_ notification: RunNotification, _ context: RunContext) throws {
        guard !to.isEmpty else { throw ETLError("email has no recipients (`to` is empty)") }
        let title = subject.render(record: Fields(), variables: notification.variables, now: Date())
        let body = notification.title + "\n\n" + notification.text.replacingOccurrences(of: " · ", with: "\n") + "\n"
        try client.send(MailMessage(from: from, to: to, subject: title, body: body))
    }
}
