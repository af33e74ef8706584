import Foundation
import ETLCore

/// Posts to a Slack incoming webhook. The webhook URL is a secret: it never
/// appears in logs or errors.
public final class SlackNotifier: NotifierConnector {
    public static let spec = ConnectorSpec(
        kind: .notifier, name: "slack",
        summary: "Post alerts to a Slack incoming webhook.",
        description: "Each rule (`when:` an expression over run variables) fires at most once per run. A failing post is logged and never fails the run.",
        options: [
            OptionSpec("webhook_url", .secret, required: true, doc: "Incoming webhook URL (a secret).", example: "${SLACK_WEBHOOK_URL}"),
            OptionSpec("channel", .string, doc: "Channel override, e.g. #ops-inventory.", example: "\"#ops-inventory\""),
            OptionSpec("username", .string, default: "etl", doc: "Name the message is posted as."),
            OptionSpec("timeout", .duration, default: .double(10), doc: "Time allowed for the post."),
        ],
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
        webhook = options.string("webhook_url") ?? ""
        channel = options.string("channel")
        username = options.string("username") ?? "etl"
        timeout = options.duration("timeout") ?? 10
        Redactor.shared.add(webhook)
    }

    public func send(_ notification: RunNotification, _ context: RunContext) throws {
        var body = Fields()
        body["text"] = .string("*\(notification.title)*\n\(notification.text)")
        if let channel { body["channel"] = .string(channel) }
        body["username"] = .string(username)
        try WebhookPost.post(url: webhook, json: .object(body), timeout: timeout)
    }
}
