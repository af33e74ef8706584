import Foundation
import ETLCore

/// POSTs the run's variables as JSON to any URL (PagerDuty, Teams, your own service).
public final class WebhookNotifier: NotifierConnector {
    static let url = OptionKey<String>("url", .secret, required: true, doc: "Endpoint URL (treated as a secret).", example: "${ALERT_WEBHOOK_URL}")
    static let headers = OptionKey<Fields>("headers", .map(.secret), doc: "Extra headers (values are secrets).")
    static let timeout = OptionKey<Double>("timeout", .duration, default: 10, doc: "Time allowed for the post.")

    public static let spec = ConnectorSpec(
        kind: .notifier, name: "webhook",
        summary: "POST the run summary as JSON to a URL.",
        options: [url, headers, timeout],
        example: """
        notify:
          - type: webhook
            url: ${ALERT_WEBHOOK_URL}
            when: status == "failed"
        """)

    let url: String
    let headers: [(String, String)]
    let timeout: Double

    public init(options: Options, context: BuildContext) throws {
        url = options[Self.url]
        headers = options[Self.headers].map { ($0.0, $0.1.text) }
        timeout = options[Self.timeout]
    }

    public func send(_ notification: RunNotification, _ context: RunContext) throws {
        var body = notification.variables
        body["title"] = .string(notification.title)
        body["text"] = .string(notification.text)
        try WebhookPost.post(url: url, json: .object(body), headers: headers, timeout: timeout)
    }
}
