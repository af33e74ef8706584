import Foundation
import ETLCore

/// Posts to a Slack incoming webhook. The webhook URL is a secret: it never
/// appears in logs or errors.
public final class SlackNotifier: NotifierConnector {
    static let webhookURL = OptionKey<String>("webhook_url", .secret, required: true, doc: "Incoming webhook URL (a secret).", example: "${SLACK_WEBHOOK_URL}")
    static let channel = OptionKey<String?>("channel", doc: "Channel override, e.g. #ops-inventory.", example: "\"#ops-inventory\"")
    static let username = OptionKey<String>("username", default: "etl", doc: "Name the message is posted as.")
    static let timeout = OptionKey<Double>("timeout", .duration, default: 10, doc: "Time allowed for the post.")

    public static let spec = ConnectorSpec(
        kind: .notifier, name: "slack",
        summary: "Post alerts to a Slack incoming webhook.",
        description: "Each rule (`when:` an expression over run variables) fires at most once per run. A failing post is logged and never fails the run.",
        options: [webhookURL, channel, username, timeout],
        example: """
        notify:
          - type: slack
            webhook_url: ${SLACK_WEBHOOK_URL}
            channel: "#ops-inventory"
            rules:
              - when: status == "failed"
              - when: items_changed > 10000
                message: "{{items_changed}} inventory items changed in one sync"
        """)

    let webhook: String
    let channel: String?
    let username: String
    let timeout: Double

    public init(options: Options, context: BuildContext) throws {
        webhook = options[Self.webhookURL]
        channel = options[Self.channel]
        username = options[Self.username]
        timeout = options[Self.timeout]
    }

    public func send(_ notification: RunNotification, _ context: RunContext) throws {
        var body = Fields()
        // A per-record alert may have no title: then the message alone.
        body["text"] = .string(notification.title.isEmpty ? notification.text : "*\(notification.title)*\n\(notification.text)")
        if let channel { body["channel"] = .string(channel) }
        body["username"] = .string(username)
        try WebhookPost.post(url: webhook, json: .object(body), timeout: timeout)
    }
}
