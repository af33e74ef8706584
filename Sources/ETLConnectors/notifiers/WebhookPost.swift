import Foundation
import ETLCore
import ETLHTTP

/// One JSON POST with a short retry for 429/5xx, shared by Slack and webhook notifiers.
enum WebhookPost {
    static func post(url: String, json: Value, headers: [(String, String)] = [], timeout: Double) throws {
        let request = HTTPRequest(method: .post, url: url,
                                  headers: [("Content-Type", "application/json")] + headers,
                                  body: Data(JSONWriter.string(json).utf8),
                                  connectTimeout: min(5, timeout), totalTimeout: timeout, verifyTLS: true)
        let response = try RetryPolicy(backoff: [1, 3]).run(request, client: HTTPClient(), log: { _ in })
        guard (200..<300).contains(response.status) else {
            throw ETLError("webhook answered HTTP \(response.status)")
        }
    }
}
