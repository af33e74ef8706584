import Foundation
import ETLCore
import ETLExpr
import struct ETLExpr.Expression

/// A notifier used as a sink: one message per record (a low-stock SKU, an escalated
/// conflict) through any notifier connector. Its spec is the notifier's own options plus
/// the per-record ones below, so `sinks: - type: slack` takes exactly what
/// `notify: - type: slack` takes, and `validate`, `describe` and the docs derive from both.
///
/// Messages are rendered while records flow and sent only in `didCommit`, once the run's
/// data committed: a failed run alerts no one. Without `dedupe`, at most `max_per_run`
/// messages are kept; with it, one per key.
public final class AlertSink: Sink {
    static let when = OptionKey<String?>("when", .expression,
        doc: "Only records for which this holds get a message; the others are ignored (not rejected).", example: "qty < reorder_level")
    static let title = OptionKey<String>("title", default: "",
        doc: "Title template over the record (Slack shows it bold above the message, PagerDuty puts it first in the summary, webhook sends it as `title`).",
        example: "\"Low stock: {{ sku }}\"")
    static let message = OptionKey<String>("message", required: true,
        doc: "Message template over the record's fields (plus `pipeline` and `run_id`).", example: "\"{{ sku }}: {{ qty }} left\"")
    static let maxPerRun = OptionKey<Int>("max_per_run", default: 100,
        doc: "At most this many messages a run; the others are logged, counted in `alerts_over_limit` and not remembered, so a later run sends them.")
    static let perRecordOptions: [any OptionDeclaration] = [when, title, message, maxPerRun, AlertDedupe.option]

    /// The sink spec of a notifier: its options, then the per-record ones.
    public static func spec(for notifier: any NotifierConnector.Type) -> ConnectorSpec {
        let n = notifier.spec
        let own = n.options.filter { o in !perRecordOptions.contains { $0.spec.name == o.name } }
        return ConnectorSpec(
            kind: .sink, name: n.name,
            summary: "One \(n.name) message per record (templated, `when`, `max_per_run`, de-duplicated by key across runs), sent after the run commits.",
            description: """
            The `\(n.name)` notifier used per record: every option of the notifier, plus `message` (and `title`) \
            templates over the record, a `when` condition, `max_per_run`, and `dedupe: {key, window}` remembered in \
            `etl_alerts_sent` so the same key is not alerted twice within the window, whichever run sees it. \
            Nothing is sent until the run's data committed; a failed send is logged and counted (`alerts_failed`), \
            never fails the run, and is not remembered (the next run tries again). `--dry-run` prints the messages. \
            Counted: `alerts_sent`, `alerts_deduplicated`, `alerts_over_limit`, `alerts_failed`.
            """,
            options: own + perRecordOptions.map(\.spec),
            example: """
            sinks:
              - type: postgres
                # …
              - type: \(n.name)
                # the \(n.name) notifier's options, then:
                when: qty < reorder_level
                message: "Low stock: {{ sku }} has {{ qty }} left (reorder at {{ reorder_level }})"
                max_per_run: 50
                dedupe: {key: "{{ sku }}", window: 1h}
            """)
    }

    public static func register(_ notifier: any NotifierConnector.Type, into registry: ConnectorRegistry) {
        registry.register(spec(for: notifier), .sink { options, context in
            try AlertSink(notifier: notifier.init(options: options, context: context), of: notifier, options: options, context: context)
        })
    }

    struct Pending {
        var position: Int
        var key: String?
        var notification: RunNotification
    }

    let notifier: Notifier
    let name: String
    let when: Expression?
    let title: Template
    let message: Template
    let maxPerRun: Int
    let dedupe: AlertDedupe?
    let pipeline: String
    /// Required notifier options left empty (an unset variable a notifier shares): nothing to send to.
    let unconfigured: [String]
    var pending: [Pending] = []
    /// Dedupe keys already pending this run, and what was left out while records flowed.
    var pendingKeys = Set<String>()
    var duplicatesInRun = 0
    var overflow = 0

    init(notifier: Notifier, of type: any NotifierConnector.Type, options: Options, context: BuildContext) throws {
        let name = type.spec.name
        self.notifier = notifier; self.name = name; pipeline = context.pipelineName
        unconfigured = type.spec.options.filter { $0.required && (options.string($0.name) ?? "").isEmpty }.map(\.name)
        func template(_ key: OptionKey<String>, in o: Options) throws -> Template {
            do { return try Expression.compileTemplate(o[key]) } catch let e as ExpressionError {
                throw o.error(key, "\(name) \(key.name): \(e.message) at character \(e.offset + 1) of the template", hint: e.hint)
            }
        }
        if let text = options[Self.when] {
            do { when = try Expression.compile(text) } catch let e as ExpressionError {
                throw options.error(Self.when, "\(name) when: \(e.message) at character \(e.offset + 1)", hint: e.hint)
            }
        } else {
            when = nil
        }
        title = try template(Self.title, in: options)
        message = try template(Self.message, in: options)
        maxPerRun = options[Self.maxPerRun]
        guard maxPerRun > 0 else { throw options.error(Self.maxPerRun, "max_per_run must be at least 1") }
        dedupe = try AlertDedupe(options, alert: name, context: context)
    }

    public var configurationWarnings: [String] { notifier.configurationWarnings }
    public func checkConnection() throws { try notifier.checkConnection() }

    public func open(_ context: RunContext) throws { reset() }

    private func reset() { pending = []; pendingKeys = []; duplicatesInRun = 0; overflow = 0 }

    public func write(_ batch: Batch, _ context: RunContext) throws {
        var run = Fields()
        run["pipeline"] = .string(context.pipeline)
        run["run_id"] = .string(context.runID)
        for record in batch.records {
            do {
                if let when, !(try when.holds(record: record.fields, variables: run, now: context.startedAt)) { continue }
            } catch {
                context.reject(Rejection(record: record, stage: name, reasons: ["when: \(error)"]))
                continue
            }
            let key = dedupe?.render(record.fields, run, now: context.startedAt)
            // Memory stays bounded: one message per key, or max_per_run without dedupe.
            if let key, !pendingKeys.insert(key).inserted { duplicatesInRun += 1; continue }
            if key == nil && pending.count >= maxPerRun { overflow += 1; continue }
            var variables = run
            for (k, v) in record.fields { variables[k] = v }
            let redact = { context.redactor.redact($0) }
            let notification = RunNotification(
                title: redact(title.render(record: record.fields, variables: run, now: context.startedAt)),
                text: redact(message.render(record: record.fields, variables: run, now: context.startedAt)),
                variables: variables)
            pending.append(Pending(position: record.position, key: key, notification: notification))
        }
    }

    public func prepare(_ context: RunContext) throws -> SinkReport {
        if !pending.isEmpty { context.logger.info("\(name): \(pending.count) alerts ready, sent after the run commits") }
        return SinkReport()
    }

    /// Nothing to commit: the messages wait for `didCommit`.
    public func commit(_ context: RunContext) throws {}

    /// The data is committed: nothing from here on fails the run; problems are logged and counted.
    public func didCommit(_ context: RunContext) {
        var due = pending
        let (duplicates, overflowed) = (duplicatesInRun, overflow)
        reset()
        guard !due.isEmpty else { return }
        if !unconfigured.isEmpty && !context.dryRun {
            context.logger.warning("\(name): \(unconfigured.joined(separator: ", ")) not set; \(due.count) alerts not sent")
            context.metrics.add("alerts_failed", due.count)
            return
        }
        var store: AlertsSent?
        defer { store?.close() }
        let ready = due.count
        if let dedupe, !context.dryRun {
            do {
                let (fresh, opened) = try dedupe.due(due) { $0.key ?? "" }
                due = fresh; store = opened
            } catch {
                context.logger.error("\(name): could not read \(AlertsSent.table) (\(error)); no alert sent, so none is sent twice")
                context.metrics.add("alerts_failed", due.count)
                return
            }
        }
        let deduplicated = duplicates + ready - due.count
        context.metrics.add("alerts_deduplicated", deduplicated)
        let overLimit = max(0, due.count - maxPerRun) + overflowed
        if overLimit > 0 {
            context.logger.warning("\(name): \(due.count + overflowed) alerts due, max_per_run is \(maxPerRun); \(overLimit) not sent this run")
            due = Array(due.prefix(maxPerRun))
        }
        context.metrics.add("alerts_over_limit", overLimit)
        if context.dryRun {
            var out = "\(name): would send \(due.count) alerts\n"
            for p in due { out += "  \([p.notification.title, p.notification.text].filter { !$0.isEmpty }.joined(separator: ": "))\n" }
            FileHandle.standardOutput.write(Data(context.redactor.redact(out).utf8))
            return
        }
        let (sent, failed) = AfterCommitDelivery.send(due, what: name, key: { $0.key }, store: store, context: context,
                                                      send: { try notifier.send($0.notification, context) },
                                                      failure: { "\(name) alert for \(RecordNumber.describe($0.position)) not sent: \($1)" })
        context.metrics.add("alerts_sent", sent)
        context.metrics.add("alerts_failed", failed)
        context.logger.info("\(name): \(sent) alerts sent, \(failed) failed, \(deduplicated) deduplicated, \(overLimit) over max_per_run")
    }

    public func rollback(_ context: RunContext) {
        if !pending.isEmpty { context.logger.info("\(name): run failed; \(pending.count) alerts not sent") }
        reset()
    }
}
