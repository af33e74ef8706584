import Foundation
import ETLCore
import ETLExpr
import struct ETLExpr.Expression

/// Triggers or resolves a PagerDuty incident through the Events API v2. The routing
/// key is a secret: it never appears in logs or errors. PagerDuty groups events by
/// `dedup_key`, so the same key pages once until resolved.
public final class PagerDutyNotifier: NotifierConnector {
    static let routingKey = OptionKey<String>("routing_key", .secret, required: true,
        doc: "Integration (routing) key of the PagerDuty service (a secret).", example: "${PAGERDUTY_ROUTING_KEY}")
    static let url = OptionKey<String>("url", .url, default: "https://events.pagerduty.com/v2/enqueue",
        doc: "Events API v2 endpoint (change it only for a proxy or a test peer).")
    static let eventAction = OptionKey<String>("event_action", .oneOf(["trigger", "resolve"]), default: "trigger",
        doc: "trigger opens (or adds to) the incident with this dedup_key; resolve closes it.")
    static let severity = OptionKey<String>("severity", .oneOf(["critical", "error", "warning", "info"]), default: "error",
        doc: "Severity of a triggered event.")
    static let dedupKey = OptionKey<String>("dedup_key", default: "etl/{{ pipeline }}",
        doc: "Template: events with the same key belong to one incident (a resolve must use the trigger's key).",
        example: "\"low-stock/{{ sku }}\"")
    static let source = OptionKey<String>("source", default: "{{ pipeline }}",
        doc: "Template: the affected system, shown in the incident.", example: "sync-monitor")
    static let timeout = OptionKey<Double>("timeout", .duration, default: 10, doc: "Time allowed for the post.")

    public static let spec = ConnectorSpec(
        kind: .notifier, name: "pagerduty",
        summary: "Trigger or resolve a PagerDuty incident (Events API v2).",
        description: """
        Posts `{routing_key, event_action, dedup_key, payload: {summary, source, severity, custom_details}}`; \
        the summary is the alert's title and message (at most 1024 characters), custom_details the run variables \
        (or, per record, the record's fields). 429 and 5xx answers are retried; a failing post is logged and never \
        fails the run. Templates see the same variables as `message`.
        """,
        options: [routingKey, url, eventAction, severity, dedupKey, source, timeout],
        example: """
        notify:
          - type: pagerduty
            routing_key: ${PAGERDUTY_ROUTING_KEY}
            severity: critical
            when: status == "failed"
        """)

    let routingKey: String
    let url: String
    let eventAction: String
    let severity: String
    let dedupKey: Template
    let source: Template
    let timeout: Double

    public init(options: Options, context: BuildContext) throws {
        routingKey = options[Self.routingKey]
        url = options[Self.url]
        eventAction = options[Self.eventAction]
        severity = options[Self.severity]
        func template(_ key: OptionKey<String>) throws -> Template {
            do { return try Expression.compileTemplate(options[key]) }
            catch { throw options.error(key, "pagerduty \(key.name): \(error)") }
        }
        dedupKey = try template(Self.dedupKey)
        source = try template(Self.source)
        timeout = options[Self.timeout]
    }

    public func send(_ notification: RunNotification, _ context: RunContext) throws {
        guard !routingKey.isEmpty else { throw ETLError("pagerduty has no routing_key") }
        let v = notification.variables
        var summary = [notification.title, notification.text].filter { !$0.isEmpty }.joined(separator: ": ")
        if summary.count > 1024 { summary = String(summary.prefix(1021)) + "…" }
        var payload = Fields()
        payload["summary"] = .string(summary)
        payload["source"] = .string(source.render(record: v, variables: v, now: context.startedAt))
        payload["severity"] = .string(severity)
        payload["custom_details"] = .object(v)
        var body = Fields()
        body["routing_key"] = .string(routingKey)
        body["event_action"] = .string(eventAction)
        body["dedup_key"] = .string(dedupKey.render(record: v, variables: v, now: context.startedAt))
        if eventAction == "trigger" { body["payload"] = .object(payload) }
        try WebhookPost.post(url: url, json: .object(body), timeout: timeout)
    }
}
