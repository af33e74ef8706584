import Foundation
import ETLCore

/// POSTs the run's variables as JSON to any URL (PagerDuty, Teams, your own service).
public final class WebhookNotifier: NotifierConnector {
    public static let spec = ConnectorSpec(
        kind: .notifier, name: "webhook",
        summary: "POST the run summary as JSON to a URL.",
        options: [
            OptionSpec("url", .secret, required: true, doc: "Endpoint URL (treated as a secret).", example: "${ALERT_WEBHOOK_URL}"),
            OptionSpec("headers", .map(.secret), doc: "Extra headers (values are secrets)."),
            OptionSpec("timeout", .duration, default: .double(10), doc: "Time allowed for the post."),
        ],
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
        url = options.string("url") ?? ""
        headers = options.map("headers").map { ($0.0, $0.1.text) }
        timeout = options.duration("timeout") ?? 10
        Redactor.shared.add(url)
    }

    public func send(_ notification: RunNotification, _ context: RunContext) throws {
        var body = notification.variables
        body["title"] = .string(notification.title)
        body["text"] = .string(notification.text)
        try WebhookPost.post(url: url, json: .object(body), headers: headers, timeout: timeout)
    }
}
