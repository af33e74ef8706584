import ETLCore

/// The options the `http` transform and the `http` sink share, declared once.
enum HTTPRequestOptions {
    static let url = OptionKey<String>("url", required: true,
        doc: "Request URL, a template: each `{{ expression }}` is filled from the record (a null value rejects the record).",
        example: "\"{{ base }}/api/contacts/{{ external_id }}\"")
    static let method = OptionKey<String>("method", .expression, default: "POST",
        doc: "GET, POST, PUT, PATCH or DELETE — or an expression over the record giving one of them. GET sends no body.",
        example: "'if is_null(external_id) then \"POST\" else \"PUT\"'")
    static let headers = OptionKey<Fields>("headers", .map(.string),
        doc: "Extra request headers; each value is a template.", example: "{X-Tenant: \"{{ tenant }}\", Accept: application/json}")

    enum Basic {
        static let username = OptionKey<String>("username", required: true, doc: "User name.", example: "etl")
        static let password = OptionKey<String>("password", .secret, required: true, doc: "Password.", example: "${CRM_PASSWORD}")
    }
    enum AuthHeader {
        static let name = OptionKey<String>("name", required: true, doc: "Header name.", example: "X-API-Key")
        static let value = OptionKey<String>("value", .secret, required: true, doc: "Header value (a secret).", example: "${CRM_API_KEY}")
    }
    enum Auth {
        static let bearer = OptionKey<String?>("bearer", .secret, doc: "Sends `Authorization: Bearer <token>`.", example: "${CRM_TOKEN}")
        static let basic = OptionKey<Options?>("basic", [Basic.username, Basic.password], doc: "HTTP basic authentication.",
                                               example: "{username: etl, password: \"${CRM_PASSWORD}\"}")
        static let header = OptionKey<Options?>("header", [AuthHeader.name, AuthHeader.value], doc: "A header carrying a secret.",
                                                example: "{name: X-API-Key, value: \"${CRM_API_KEY}\"}")
    }
    static let auth = OptionKey<Options?>("auth", [Auth.bearer, Auth.basic, Auth.header],
        doc: "Credentials: one of `bearer`, `basic` or `header`; their secrets are masked in every log line and error.",
        example: "{bearer: \"${CRM_TOKEN}\"}")

    enum Sign {
        static let algorithm = OptionKey<String>("algorithm", .oneOf(["sha256", "sha512", "sha1"]), default: "sha256",
                                                 doc: "HMAC hash.", example: "sha256")
        static let secret = OptionKey<String>("secret", .secret, required: true, doc: "HMAC key.", example: "${HOOK_SECRET}")
        static let header = OptionKey<String>("header", default: "X-Signature", doc: "Header that carries the signature.",
                                              example: "X-Hub-Signature-256")
        static let encoding = OptionKey<String>("encoding", .oneOf(["hex", "base64"]), default: "hex",
                                                doc: "How the signature is written.", example: "base64")
        static let prefix = OptionKey<String?>("prefix", doc: "Text put before the signature.", example: "\"sha256=\"")
    }
    static let sign = OptionKey<Options?>("sign", [Sign.algorithm, Sign.secret, Sign.header, Sign.encoding, Sign.prefix],
        doc: "Sign each request: an HMAC of the exact body bytes sent, in a header.",
        example: "{secret: \"${HOOK_SECRET}\", header: X-Hub-Signature-256, prefix: \"sha256=\"}")

    static let body = OptionKey<String?>("body",
        doc: "Body as a template instead of the record (with `batch_size` above 1 it must render JSON).",
        example: "'{\"email\": \"{{ email }}\", \"source\": \"etl\"}'")
    static let fields = OptionKey<Fields>("fields", .map(.expression),
        doc: "Body as a JSON object built from expressions over the record (a dotted name nests) instead of the whole record.",
        example: "{firstName: first_name, lastName: last_name, address.city: city}")
    static let contentType = OptionKey<String>("content_type", default: "application/json",
        doc: "Content-Type of the body.", example: "application/json")
    static let batchSize = OptionKey<Int>("batch_size", default: 1,
        doc: "Records per request: above 1 the body is a JSON array of consecutive records that share method, URL and headers; the response (a JSON array) is mapped back in the same order.",
        example: "50")
    static let maxInFlight = OptionKey<Int>("max_in_flight", default: 8,
        doc: "Requests sent at the same time (one libcurl multi handle).", example: "32")
    static let rateLimit = OptionKey<String?>("rate_limit",
        doc: "Most requests per second (`20/s`), minute (`600/min`) or hour (`1000/h`), retries included; evenly paced.",
        example: "600/min")
    enum Retry {
        static let backoff = OptionKey<[Double]>("backoff", .list(.duration), default: [1, 5, 15],
            doc: "Wait before each retry, half of it left to chance (jitter); its length is the number of retries.",
            example: "[1s, 5s, 15s]")
    }
    static let retry = OptionKey<Options>("retry", [Retry.backoff],
        default: Fields([("backoff", .array([.double(1), .double(5), .double(15)]))]),
        doc: "Retries on network errors, timeouts, 429 (honouring Retry-After up to the step) and 5xx; other 4xx are never retried.",
        example: "{backoff: [2s, 10s, 30s]}")
    static let key = OptionKey<[String]?>("key",
        doc: "Fields that identify a record, for the default idempotency key (without it: method and URL).",
        example: "[external_id]")
    static let idempotencyKey = OptionKey<String?>("idempotency_key",
        doc: "Idempotency key template. Default: SHA-256 of pipeline name, record key and body hash, so a replay after a crash sends the same key.",
        example: "\"contact-{{ id }}-{{ updated_at }}\"")
    static let idempotencyHeader = OptionKey<String>("idempotency_header", default: "Idempotency-Key",
        doc: "Header carrying the idempotency key; \"\" sends none.", example: "X-Idempotency-Key")
    static let successStatus = OptionKey<[String]>("success_status", default: ["2xx"],
        doc: "Statuses that count as delivered: codes (`201`), classes (`2xx`) or ranges (`200-204`). Anything else rejects the request's records.",
        example: "[2xx, 409]")
    static let timeout = OptionKey<Double>("timeout", .duration, default: 30,
        doc: "Time allowed for one attempt (capped by the run's own timeout).", example: "30s")
    static let connectTimeout = OptionKey<Double>("connect_timeout", .duration, default: 10,
        doc: "Time allowed to connect.", example: "5s")
    static let verifyTLS = OptionKey<Bool>("verify_tls", default: true,
        doc: "Verify the server certificate (never turn off in production).", example: "true")

    static let when = OptionKey<String?>("when", .expression,
        doc: "Only records for which this holds make a request; the others pass through the transform unchanged (the sink skips them).",
        example: "system == \"erp\"")

    static let all: [any OptionDeclaration] = [
        when, url, method, headers, auth, sign, body, fields, contentType, batchSize, maxInFlight, rateLimit, retry,
        key, idempotencyKey, idempotencyHeader, successStatus, timeout, connectTimeout, verifyTLS,
    ]
}
