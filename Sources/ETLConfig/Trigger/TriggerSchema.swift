import ETLCore

/// The options of `trigger:`, declared like connector options so that
/// validate reports unknown keys and wrong types with positions and hints.
enum TriggerSchema {
    static let hmac: [OptionSpec] = [
        OptionSpec("algorithm", .oneOf(HMACVerification.Algorithm.allCases.map(\.rawValue)), default: .string("sha256"),
                   doc: "Digest of the HMAC.", example: "sha256"),
        OptionSpec("secret", .secret, required: true, doc: "Shared secret the sender signs with.", example: "${CRM_WEBHOOK_SECRET}"),
        OptionSpec("header", .string, required: true, doc: "Header carrying the signature.", example: "X-Webhook-Signature"),
        OptionSpec("encoding", .oneOf(HMACVerification.Encoding.allCases.map(\.rawValue)), default: .string("hex"),
                   doc: "How the digest is written in the header.", example: "hex"),
        OptionSpec("prefix", .string, default: .string(""), doc: "Text before the digest in the header.", example: "\"sha256=\""),
        OptionSpec("timestamp_header", .string, doc: "Header with the signing time (Unix seconds): the signed payload is `<timestamp>.<raw body>`.",
                   example: "X-Timestamp"),
        OptionSpec("tolerance", .duration, default: .double(300), doc: "How far a signed timestamp may be from now (replays).", example: "5m"),
    ]

    static let apiKey: [OptionSpec] = [
        OptionSpec("header", .string, required: true, doc: "Header carrying the key.", example: "X-API-Key"),
        OptionSpec("secret", .secret, required: true, doc: "The expected key.", example: "${ERP_WEBHOOK_KEY}"),
    ]

    static let verify: [OptionSpec] = [
        OptionSpec("hmac", .object(hmac), doc: "HMAC signature over the raw body (GitHub, Stripe, Slack conventions)."),
        OptionSpec("api_key", .object(apiKey), doc: "A static key in a header, compared in constant time."),
        OptionSpec("none", .bool, doc: "No verification at all (a validate warning)."),
    ]

    static let response: [OptionSpec] = [
        OptionSpec("status", .int, required: true, doc: "HTTP status.", example: "200"),
        OptionSpec("body", .map(.expression), doc: "JSON body: field → expression.", example: "{status: '\"applied\"'}"),
    ]

    static let responses: [OptionSpec] = [
        OptionSpec("ok", .object(response), required: true, doc: "The answer when the event was applied."),
        OptionSpec("rejected", .object(response), required: true,
                   doc: "The answer when a record was rejected; sees the record, `error` and `current`."),
    ]

    static let trigger: [OptionSpec] = [
        OptionSpec("type", .oneOf(["webhook"]), required: true, doc: "The only trigger type.", example: "webhook"),
        OptionSpec("path", .string, required: true, doc: "URL path `etl serve` routes to this pipeline.", example: "/hooks/crm"),
        OptionSpec("methods", .list(.oneOf(["POST", "PUT", "PATCH", "DELETE"])), default: .array([.string("POST")]),
                   doc: "Methods accepted on the path; others answer 405.", example: "[POST]"),
        OptionSpec("verify", .object(verify), required: true, doc: "Exactly one of hmac, api_key, none."),
        OptionSpec("accept", .any, doc: "Rules checked at intake: `- when: EXPR` with `message: EXPR`; the first false answers 400."),
        OptionSpec("idempotency_key", .any, doc: "An expression, or `header: NAME`; default the SHA-256 of the raw body.",
                   example: "'sha256(_raw_body)'"),
        OptionSpec("max_body", .size, default: .int(1 << 20), doc: "Larger bodies answer 413.", example: "1MiB"),
        OptionSpec("ack", .oneOf(AckMode.allCases.map(\.rawValue)), default: .string("on_receipt"),
                   doc: "on_receipt: 202 once stored; on_commit: processed before the answer.", example: "on_receipt"),
        OptionSpec("max_attempts", .int, default: .int(5), doc: "Failed processing attempts before an event is dead.", example: "5"),
        OptionSpec("response", .object(responses), doc: "ack: on_commit only: the answer, from expressions."),
    ]
}
