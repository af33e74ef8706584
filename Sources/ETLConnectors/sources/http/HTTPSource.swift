import Foundation
import ETLCore
import ETLHTTP

/// GETs (or POSTs) a JSON/NDJSON/CSV payload over HTTP(S) or file://, with
/// retries on network errors, 429 and 5xx, archives the raw body exactly as
/// received, then parses it batch by batch. The body never sits in memory: it
/// is spooled to a file in the run's temporary directory as it arrives, that
/// file becomes the archived copy (or is uploaded from), and the records are
/// parsed from it mapped, page by page.
public final class HTTPSource: SourceConnector {
    static let url = OptionKey<String>("url", .url, required: true, doc: "URL to fetch; file:// reads a local file through the same path.", example: "${ERP_URL}/inventory")
    static let method = OptionKey<String>("method", .oneOf(["GET", "POST"]), default: "GET", doc: "HTTP method.")
    static let body = OptionKey<String?>("body", doc: "Request body for POST.")
    static let headers = OptionKey<Fields>("headers", .map(.string), doc: "Extra request headers.")
    static let bearerToken = OptionKey<String?>("bearer_token", .secret, doc: "Sends `Authorization: Bearer <token>`.", example: "${ERP_TOKEN}")
    enum BasicAuth {
        static let username = OptionKey<String>("username", required: true, doc: "User name.")
        static let password = OptionKey<String>("password", .secret, required: true, doc: "Password.")
    }
    static let basicAuth = OptionKey<Options?>("basic_auth", [BasicAuth.username, BasicAuth.password], doc: "HTTP basic authentication.")
    static let connectTimeout = OptionKey<Double>("connect_timeout", .duration, default: 10, doc: "Time allowed to connect.", example: "10s")
    static let timeout = OptionKey<Double>("timeout", .duration, default: 120, doc: "Time allowed for the whole request.", example: "2m")
    static let verifyTLS = OptionKey<Bool>("verify_tls", default: true, doc: "Verify the server certificate (never turn off in production).")
    enum Retry {
        static let backoff = OptionKey<[Double]>("backoff", .list(.duration), default: [5, 15, 45],
                                                 doc: "Wait before each retry; its length is the number of retries.", example: "[5s, 15s, 45s]")
    }
    static let retry = OptionKey<Options>("retry", [Retry.backoff], default: Fields([("backoff", .array([.double(5), .double(15), .double(45)]))]),
                                          doc: "Retry policy for network errors, 429 and 5xx.")
    static let archive = OptionKey<Options?>("archive", ArchiveOptions.options, doc: "Store the raw body before processing (S3 or a directory); with pagination, pages after the first get `_p0002`, `_p0003` … before the key's extension.")
    static let paginate = OptionKey<Options?>("paginate", HTTPPagination.options, doc: "Read every page: each is fetched with the retry policy, archived and parsed with `record_path`; record positions count on across pages.")
    static let incremental = OptionKey<Options?>("incremental", IncrementalCursor.options, doc: "Ask only for records changed since the last successful run: the greatest `cursor_field` seen is saved (table etl_state) after the sinks commit and sent as `param` next time.")

    public static let spec = ConnectorSpec(
        kind: .source, name: "http",
        summary: "Fetch a payload over HTTP(S) or file:// with retries, archive it raw, stream its records.",
        description: """
        Retries network errors, timeouts, 429 and 5xx after each `retry.backoff` step (honouring Retry-After up to \
        that step); other 4xx fail at once. The body is archived as received before any record is processed. \
        A body that is not valid JSON of the expected shape fails the run with nothing written. \
        With `paginate`, pages are read one after another until the API says there are no more; with \
        `incremental`, only records changed since the last successful run are asked for.
        """,
        options: [url, method, body, headers, bearerToken, basicAuth, connectTimeout, timeout, verifyTLS, retry,
                  archive, paginate, incremental] + PayloadFormat.options,
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

        # paginated and incremental: only contacts changed since the last run, 200 a page
        source:
          type: http
          url: ${CRM_URL}/api/contacts
          record_path: data
          paginate: {style: cursor, cursor_param: cursor, cursor_path: next_cursor, limit: 200}
          incremental: {cursor_field: updatedAt, param: modifiedSince, initial: "2024-01-01T00:00:00Z"}
        """)

    let options: Options
    let format: PayloadFormat
    let archive: ArchiveOptions?
    let pagination: HTTPPagination?
    let incremental: IncrementalCursor?
    let pipeline: String

    public init(options: Options, context: BuildContext) throws {
        self.options = options
        let format = PayloadFormat(options: options)
        self.format = format
        archive = try options[Self.archive].map { try ArchiveOptions($0, context: context) }
        pagination = try options[Self.paginate].map { try HTTPPagination($0, format: format) }
        incremental = options[Self.incremental].map(IncrementalCursor.init)
        pipeline = context.pipelineName
    }

    /// `${ERP_URL}/inventory` with ERP_URL ending in `/` gives `…//inventory`; servers treat
    /// that as another path, so doubled slashes in the path (not after the scheme) become one.
    static func collapsingSlashes(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let afterScheme = url[scheme.upperBound...]
        let pathStart = url.hasPrefix("file://") ? afterScheme.startIndex : (afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex)
        let queryStart = afterScheme[pathStart...].firstIndex(where: { $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        var path = String(afterScheme[pathStart..<queryStart])
        while path.contains("//") { path = path.replacingOccurrences(of: "//", with: "/") }
        return String(url[..<pathStart]) + path + String(afterScheme[queryStart...])
    }

    var request: HTTPRequest {
        var headers: [(String, String)] = options[Self.headers].map { ($0.0, $0.1.text) }
        if let token = options[Self.bearerToken], !token.isEmpty { headers.append(("Authorization", "Bearer \(token)")) }
        headers.append(("Accept", format.kind == .csv ? "text/csv" : "application/json"))
        var request = HTTPRequest(method: options[Self.method] == "POST" ? .post : .get,
                           url: Self.collapsingSlashes(options[Self.url]),
                           headers: headers,
                           body: options[Self.body].map { Data($0.utf8) },
                           connectTimeout: options[Self.connectTimeout],
                           totalTimeout: options[Self.timeout],
                           verifyTLS: options[Self.verifyTLS])
        if let auth = options[Self.basicAuth] {
            request.authorize(.basic(user: auth[BasicAuth.username], password: auth[BasicAuth.password]))
        }
        return request
    }

    var retryPolicy: RetryPolicy {
        RetryPolicy(backoff: options[Self.retry][Retry.backoff])
    }

    public func checkConnection() throws {
        var probe = request
        probe.method = .head
        probe.totalTimeout = min(probe.totalTimeout, 10)
        let response = try HTTPClient().send(probe)
        if response.status >= 500 { throw ETLError("\(probe.url) answered HTTP \(response.status)") }
    }

    public func read(_ context: RunContext, emit: (Batch) throws -> Void) throws {
        let client = HTTPClient()
        // A cancelled run (timeout, SIGTERM) aborts the transfer in progress…
        client.abortWhen = { context.cancellation != nil }
        // A body's Content-Length gives the progress display its download share and ETA.
        client.onDownloadProgress = { received, expected in
            context.publish(Progress.downloadDone, .int(received))
            context.publish(Progress.downloadTotal, expected > 0 ? .int(expected) : .null)
        }
        // …ends the wait between retries early, and sends nothing more.
        var retry = RetryPolicy(backoff: retryPolicy.backoff, sleep: { seconds in
            let until = Date().addingTimeInterval(seconds)
            while Date() < until && context.cancellation == nil { Thread.sleep(forTimeInterval: min(0.1, until.timeIntervalSinceNow)) }
        })
        retry.isCancelled = { context.cancellation != nil }
        var baseURL = Self.collapsingSlashes(options[Self.url])
        var tracker: IncrementalCursor.Tracker?
        if let incremental {
            let start = incremental.start(context)
            if let start {
                baseURL = URLQuery.setting(baseURL, [(incremental.param, start.text)])
                context.logger.info("incremental read: \(incremental.param)=\(start.text)")
            }
            tracker = IncrementalCursor.Tracker(path: incremental.fieldPath, start: start)
        }
        let archiveStore = try archive?.openStore()
        var walker = pagination.map { PageWalker($0, baseURL: baseURL) }
        var nextURL: String? = walker?.firstURL ?? baseURL
        var pageNumber = 0
        var position = 0
        var slowestMs = 0
        let maxPages = pagination?.maxPages ?? 1

        while let url = nextURL {
            try context.checkCancelled()
            pageNumber += 1
            var request = self.request
            request.url = url
            // A request never outlives the run's own timeout.
            if let remaining = context.remaining { request.totalTimeout = min(request.totalTimeout, remaining) }
            let spool = try context.temporaryFiles.path("http-body-p\(pageNumber)")
            request.bodyFile = spool
            // The spool file goes once the page is read, whatever happens (unless archiving moved it away).
            defer { try? FileManager.default.removeItem(atPath: spool) }
            let response = try context.metrics.time("fetch") {
                try retry.run(request, client: client, log: { context.logger.warning($0) })
            }
            slowestMs = max(slowestMs, Int((response.latency * 1000).rounded()))
            context.metrics.add("payload_bytes", response.bodySize)
            context.metrics.add("pages_fetched", 1)
            // A success without a body file (a 3xx curl did not follow): its small body is spooled here.
            if response.bodyFile == nil {
                do { try response.body.write(to: URL(fileURLWithPath: spool)) } catch {
                    throw ETLError("cannot write the response body to \(spool): \(FileProblem.describe(error, path: spool))")
                }
            }
            var payloadPath = spool
            var archivedKey: String?
            if let archive, let archiveStore {
                let archived = try context.metrics.time("archive") {
                    try archive.store(file: spool, in: archiveStore, pipeline: pipeline, runID: context.runID, at: context.startedAt,
                                      dryRun: context.dryRun, page: pageNumber)
                }
                archivedKey = archived.key
                if let moved = archived.localPath { payloadPath = moved }
                if pageNumber == 1 { context.publish("archive_path", .string(archived.location)) }
            }
            let bytes: PayloadBytes
            do { bytes = try PayloadBytes(mapping: payloadPath) } catch {
                throw ETLError("cannot read the downloaded payload: \(error)", hint: "check the temporary directory (TMPDIR) and the archive directory")
            }
            let source = url + (walker != nil ? " (page \(pageNumber))" : "")
            let count: Int
            var downstreamFailed = false
            do {
                count = try context.metrics.time("parse") {
                    try format.decode(bytes, source: source, batchSize: context.batchSize, context: context,
                                      firstPosition: position, sizeIsTotal: walker == nil) { batch in
                        tracker?.observe(batch)
                        do { try emit(batch) } catch { downstreamFailed = true; throw error }
                    }
                }
            } catch where !downstreamFailed && context.cancellation == nil {
                // The body itself is bad (cut off, not JSON…): it stays archived for inspection, marked failed.
                guard let archivedKey, let archiveStore else { throw error }
                throw FailedPayload.mark(archivedKey, bytes, in: archiveStore, error: error, context: context, isFirstPage: pageNumber == 1)
            }
            position += count
            guard walker != nil else { break }
            var body: Value?
            if pagination?.readsBody == true {
                // Only the members holding `has_more` / the cursor are parsed; the records are skipped, not built twice.
                do { body = .object(try JSONStreamReader.members(of: bytes, named: pagination?.bodyMembers ?? [], source: source)) }
                catch { throw ETLError("\(source): cannot read the pagination fields: \(error)") }
            }
            nextURL = try walker?.next(after: PageWalker.PageFacts(url: url, records: count, headers: response.headers, body: body))
            if nextURL != nil && pageNumber >= maxPages {
                context.logger.warning("stopped after paginate.max_pages = \(maxPages) pages although the API has more; the records read so far are written")
                break
            }
        }
        context.publish("api_latency_ms", .int(Int64(slowestMs)))
        if pageNumber > 1 { context.logger.info("read \(position) records in \(pageNumber) pages") }
        if let archive, let archiveStore, !context.dryRun { archive.applyRetention(in: archiveStore, context.logger, pipeline: pipeline) }
        if let incremental, let tracker, let greatest = tracker.greatest {
            // Saved by the runner only after every sink committed.
            context.saveState(IncrementalCursor.stateKey, greatest)
            if tracker.seen > 0 { context.logger.info("incremental cursor \(incremental.field) now \(greatest.text)") }
        }
    }
}
