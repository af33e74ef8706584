import Foundation
import ETLCore
import ETLExpr
import ETLHTTP
import struct ETLExpr.Expression

/// Sends one e-mail per record (shipping confirmations, status changes) over SMTP.
///
/// Messages are rendered while records flow (`write`), but sent only in `didCommit`,
/// which the runner calls once the run's data committed: a run that fails sends nothing.
public final class EmailSink: SinkConnector {
    static let from = SMTPOptions.from(example: "\"Shop <orders@example.com>\"")
    static let to = OptionKey<String>("to", required: true, doc: "Recipient template, rendered per record; several addresses may be separated by commas.", example: "\"{{ customer_email }}\"")
    static let subject = OptionKey<String>("subject", required: true, doc: "Subject template, rendered per record.", example: "\"Your order {{ order_number }} has shipped\"")
    static let body = OptionKey<String>("body", required: true, doc: "Plain-text body template, rendered per record (use a YAML block `|` for several lines).",
                                        example: "\"Track your package: {{ tracking_url }}\"")
    static let when = OptionKey<String?>("when", .expression, doc: "Only records for which this holds are mailed; the others are ignored (not rejected).", example: "is_new_shipment")
    static let timeout = SMTPOptions.timeout(doc: "Time allowed for each message.")
    static let maxPerRun = OptionKey<Int>("max_per_run", default: 1000,
        doc: "Safety cap: a run that would send more messages fails before sending any (a wrong `when` must not mail every customer).")

    public static let spec = ConnectorSpec(
        kind: .sink, name: "email",
        summary: "Send one e-mail per record over SMTP (templated recipient, subject and body), after the run succeeds.",
        description: """
        Every record (or only those where `when` holds) is rendered into a message during the run; a record whose \
        template fails, whose placeholder is null or whose `to` is not an e-mail address is rejected with the reason. \
        Nothing is sent until the run's data committed, so a failed run mails no one. More than `max_per_run` messages fails the run before anything is sent. \
        A message the server refuses is logged and counted (`emails_failed`); the others still go, and the run does not \
        fail. Sent messages are counted in `emails_sent` (not in `records_written`, which counts rows). \
        `--dry-run` prints each message's recipient and subject instead of sending. \
        With `dedupe: {key, window}` records with the same key get one message per window, across runs \
        (remembered in `etl_alerts_sent`, like the notifier sinks). \
        Placeholders see the record's fields plus `pipeline` and `run_id`; write `{{ x ?? \"n/a\" }}` for a field that may be null.
        """,
        options: [SMTPOptions.url, from, to, subject, body, when, SMTPOptions.username, SMTPOptions.password,
                  SMTPOptions.starttls, SMTPOptions.verifyTLS, timeout, maxPerRun, AlertDedupe.option],
        example: """
        sinks:
          - type: postgres
            # …
          - type: email
            url: ${SMTP_URL}
            from: "Shop <orders@example.com>"
            when: is_new_shipment
            to: "{{ customer_email }}"
            subject: "Your order has shipped!"
            body: |
              Good news! Your order {{ order_number }} has shipped.

              Tracking: {{ tracking_number }}
              Track your package: {{ tracking_url }}
        """)

    /// One rendered message and the record it came from.
    struct Pending {
        var position: Int
        var message: MailMessage
        /// The `dedupe` key, when the sink has one.
        var key: String?
    }

    let client: SMTPClient
    let url: String
    let from: String
    let to: Template
    let subject: Template
    let body: Template
    let when: Expression?
    let maxPerRun: Int
    let dedupe: AlertDedupe?
    var pending: [Pending] = []
    var rejects: [Rejection] = []
    var matched = 0

    public init(options: Options, context: BuildContext) throws {
        url = options[SMTPOptions.url]
        // An empty url (unset variable) is allowed here: `etl validate` builds connectors without
        // production secrets. `open` refuses it when mail would really go out.
        try SMTPOptions.checkURL(url, in: options)
        from = options[Self.from]
        if let problem = MailMessage.problem(with: from) { throw options.error(Self.from, "email from: \(problem)") }

        func template(_ key: OptionKey<String>) throws -> Template {
            let name = key.name
            do { return try Expression.compileTemplate(options[key]) } catch let e as ExpressionError {
                throw options.error(key, "email \(name): \(e.message) at character \(e.offset + 1) of the template", hint: e.hint)
            } catch {
                throw options.error(key, "email \(name): \(error)")
            }
        }
        to = try template(Self.to)
        subject = try template(Self.subject)
        body = try template(Self.body)
        if let text = options[Self.when] {
            do { when = try Expression.compile(text) } catch let e as ExpressionError {
                throw options.error(Self.when, "email when: \(e.message) at character \(e.offset + 1)", hint: e.hint)
            }
        } else {
            when = nil
        }
        maxPerRun = options[Self.maxPerRun]
        guard maxPerRun > 0 else { throw options.error(Self.maxPerRun, "max_per_run must be at least 1") }
        client = try SMTPOptions.client(options, url: url, timeout: options[Self.timeout])
        dedupe = try AlertDedupe(options, alert: "email", context: context)
    }

    public func open(_ context: RunContext) throws {
        pending = []; rejects = []; matched = 0
        if url.isEmpty && !context.dryRun {
            throw ETLError("email sink has no server url", hint: "set `url` (e.g. SMTP_URL=smtp://mail.example.com:587)")
        }
    }

    public func write(_ batch: Batch, _ context: RunContext) throws {
        var variables = Fields()
        variables["pipeline"] = .string(context.pipeline)
        variables["run_id"] = .string(context.runID)
        for record in batch.records {
            do {
                if let when, !(try when.holds(record: record.fields, variables: variables, now: context.startedAt)) { continue }
            } catch {
                rejects.append(Rejection(record: record, stage: "email", reasons: ["when: \(error)"]))
                continue
            }
            matched += 1
            if matched > maxPerRun {
                throw ETLError("email sink: more than \(maxPerRun) messages in one run; nothing was sent",
                               hint: "check `when:`; if this many is expected, raise `max_per_run`")
            }
            if let message = render(record, variables, context) {
                let key = dedupe?.render(record.fields, variables, now: context.startedAt)
                pending.append(Pending(position: record.position, message: message, key: key))
            }
        }
    }

    /// The record's message, or nil after rejecting the record with the reason.
    private func render(_ record: Record, _ variables: Fields, _ context: RunContext) -> MailMessage? {
        var reasons: [String] = []
        func text(_ name: String, _ template: Template) -> String {
            do { return try template.renderStrict(record: record.fields, variables: variables, now: context.startedAt) }
            catch { reasons.append("\(name): \(error)"); return "" }
        }
        let recipients = text("to", to).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let title = text("subject", subject)
        let content = text("body", body)
        if reasons.isEmpty {
            if recipients.isEmpty { reasons.append("to: no recipient") }
            for address in recipients { if let problem = MailMessage.problem(with: address) { reasons.append("to: \(problem)") } }
        }
        guard reasons.isEmpty else {
            rejects.append(Rejection(record: record, stage: "email", reasons: reasons))
            return nil
        }
        return MailMessage(from: from, to: recipients, subject: title, body: content, date: context.startedAt)
    }

    public func prepare(_ context: RunContext) throws -> SinkReport {
        // Nothing is written to a table: `records_written` keeps counting rows. What is
        // sent is counted in `emails_sent` once it really is.
        var r = SinkReport()
        r.rejects = rejects
        rejects = []
        context.logger.info("email: \(pending.count) messages ready, sent after the run commits")
        return r
    }

    /// Nothing to commit: the messages wait for `didCommit`.
    public func commit(_ context: RunContext) throws {}

    /// The run's data is committed (the shared transaction included): now the mail goes.
    public func didCommit(_ context: RunContext) {
        var messages = pending
        pending = []
        var store: AlertsSent?
        defer { store?.close() }
        if let dedupe, !context.dryRun, !messages.isEmpty {
            do {
                let (fresh, opened) = try dedupe.due(messages) { $0.key ?? "" }
                context.metrics.add("emails_deduplicated", messages.count - fresh.count)
                messages = fresh; store = opened
            } catch {
                context.logger.error("email: could not read \(AlertsSent.table) (\(error)); no message sent, so none is sent twice")
                context.metrics.add("emails_failed", messages.count)
                return
            }
        }
        if context.dryRun {
            var out = "email: would send \(messages.count) messages\n"
            for p in messages { out += "  to \(p.message.to.joined(separator: ", ")): \(p.message.subject)\n" }
            FileHandle.standardOutput.write(Data(context.redactor.redact(out).utf8))
            return
        }
        let (sent, failed) = AfterCommitDelivery.send(messages, what: "email", key: { $0.key }, store: store, context: context,
                                                      send: { try client.send($0.message) },
                                                      failure: { "email to \($0.message.to.joined(separator: ", ")) for \(RecordNumber.describe($0.position)) not sent: \($1)" })
        context.metrics.add("emails_sent", sent)
        context.metrics.add("emails_failed", failed)
        if !messages.isEmpty { context.logger.info("email: \(sent) sent, \(failed) failed") }
    }

    public func rollback(_ context: RunContext) {
        if !pending.isEmpty { context.logger.info("email: run failed; \(pending.count) messages not sent") }
        pending = []
        rejects = []
    }

    public func checkConnection() throws {
        guard !url.isEmpty else { throw ETLError("email sink has no server url") }
    }
}
