import Foundation
import ETLCore
import ETLHTTP

/// GETs (or POSTs) a JSON/NDJSON/CSV payload over HTTP(S) or file://, with
/// retries on network errors, 429 and 5xx, archives the raw body exactly as
/// received, then parses it batch by batch.
public final class HTTPSource: Source {
    public static let spec = ConnectorSpec(
        kind: .source, name: "http",
        summary: "Fetch a payload over HTTP(S) or file:// with retries, archive it raw, stream its records.",
        description: """
        Retries network errors, timeouts, 429 and 5xx after each `retry.backoff` step (honouring Retry-After up to \
        that step); other 4xx fail at once. The body is archived as received before any record is processed. \
        A body that is not valid JSON of the expected shape fails the run with nothing written.
        """,
        options: [
            OptionSpec("url", .url, required: true, doc: "URL to fetch; file:// reads a local file through the same path.", example: "${ERP_URL}/inventory"),
            OptionSpec("method", .oneOf(["GET", "POST"]), default: "GET", doc: "HTTP method."),
            OptionSpec("body", .string, doc: "Request body for POST."),
            OptionSpec("headers", .map(.string), doc: "Extra request headers."),
            OptionSpec("bearer_token", .secret, doc: "Sends `Authorization: Bearer <token>`.", example: "${ERP_TOKEN}"),
            OptionSpec("basic_auth", .object([
                OptionSpec("username", .string, required: true, doc: "User name."),
                OptionSpec("password", .secret, required: true, doc: "Password."),
            ]), doc: "HTTP basic authentication."),
            OptionSpec("connect_timeout", .duration, default: .double(10), doc: "Time allowed to connect.", example: "10s"),
            OptionSpec("timeout", .duration, default: .double(120), doc: "Time allowed for the whole request.", example: "2m"),
            OptionSpec("verify_tls", .bool, default: true, doc: "Verify the server certificate (never turn off in production)."),
            OptionSpec("retry", .object([
                OptionSpec("backoff", .list(.duration), default: .array([.double(5), .double(15), .double(45)]),
                           doc: "Wait before each retry; its length is the number of retries.", example: "[5s, 15s, 45s]"),
            ]), default: .object(Fields([("backoff", .array([.double(5), .double(15), .double(45)]))])),
               doc: "Retry policy for network errors, 429 and 5xx."),
            OptionSpec("archive", .object(ArchiveOptions.options), doc: "Store the raw body before processing (S3 or a directory)."),
        ] + PayloadFormat.options,
        example: """
        source:
          type: http
          url: ${ERP_URL}/inventory
          bearer_token: ${ERP_TOKEN}
          retry: {backoff: [5s, 15s, 45s]}
          archive:
            url: ${ARCHIVE_URL:-file://./archive}
            key: inventory-sync/%Y-%m-%d/inventory_%Y%m%d_%H%M%S.json
            retention: 30d
        """)

    let options: Options
    let format: PayloadFormat
    let archive: ArchiveOptions?
    let batchSize: Int
    let pipeline: String

    public init(options: Options, context: BuildContext) throws {
        self.options = options
        format = PayloadFormat(options: options)
        archive = options.has("archive") ? try ArchiveOptions(options.object("archive"), context: context) : nil
        batchSize = 10_000
        pipeline = context.pipelineName
        if let token = options.string("bearer_token") { Redactor.shared.add(token) }
    }

    var request: HTTPRequest {
        var headers: [(String, String)] = options.map("headers").map { ($0.0, $0.1.text) }
        if let token = options.string("bearer_token"), !token.isEmpty { headers.append(("Authorization", "Bearer \(token)")) }
        headers.append(("Accept", format.kind == .csv ? "text/csv" : "application/json"))
        var request = HTTPRequest(method: options.string("method") == "POST" ? .post : .get,
                           url: options.string("url") ?? "",
                           headers: headers,
                           body: options.string("body").map { Data($0.utf8) },
                           connectTimeout: options.duration("connect_timeout") ?? 10,
                           totalTimeout: options.duration("timeout") ?? 120,
                           verifyTLS: options.bool("verify_tls", default: true))
        if options.has("basic_auth") {
            let b = options.object("basic_auth")
            request.authorize(.basic(user: b.string("username") ?? "", password: b.string("password") ?? ""))
        }
        return request
    }

    var retryPolicy: RetryPolicy {
        let backoff = options.object("retry").list("backoff").compactMap(\.doubleValue)
        return RetryPolicy(backoff: backoff)
    }

    public func checkConnection() throws {
        var probe = request
        probe.method = .head
        probe.totalTimeout = min(probe.totalTimeout, 10)
        let response = try HTTPClient().send(probe)
        if response.status >= 500 { throw ETLError("\(Redactor.shared.redact(probe.url)) answered HTTP \(response.status)") }
    }

    public func read(_ context: RunContext, emit: (Batch) throws -> Void) throws {
        let client = HTTPClient()
        let request = self.request
        let response = try context.metrics.time("fetch") {
            try retryPolicy.run(request, client: client, log: { context.logger.warning($0) })
        }
        let latencyMs = Int((response.latency * 1000).rounded())
        context.publish("api_latency_ms", .int(Int64(latencyMs)))
        context.metrics.add("payload_bytes", response.body.count)
        let bytes = [UInt8](response.body)
        if let archive {
            let location = try context.metrics.time("archive") {
                try archive.store(bytes, pipeline: pipeline, runID: context.runID, at: context.startedAt, dryRun: context.dryRun)
            }
            context.publish("archive_path", .string(location))
            if !context.dryRun { archive.applyRetention(context.logger, pipeline: pipeline) }
        }
        try context.metrics.time("parse") {
            try format.decode(bytes, source: Redactor.shared.redact(request.url), batchSize: context.batchSize,
                              context: context, emit: emit)
        }
    }
}
