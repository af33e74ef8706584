import Foundation
import ETLCore
import ETLHTTP

/// The shared engine of the `http` transform and sink: turns a batch into
/// requests (one per record, or `batch_size` consecutive records per
/// request), sends them through one multi handle with retries and the rate
/// limit, and sorts the answers into delivered requests and rejected records.
///
/// A request that fails for good — a status outside `success_status` after its
/// retries, a network failure on the last attempt, a record whose templates do
/// not render — rejects its records with the reason and the start of the
/// response body; the run goes on with the others. A cancelled run (signal,
/// timeout) aborts what is in flight, sends nothing more and throws.
final class RequestDelivery {
    /// A request that succeeded and the records it carried, in order.
    struct Delivered {
        var records: [Record]
        var response: HTTPResponse
        /// True when the body was a JSON array (`batch_size` above 1): the response maps back item by item.
        var batched: Bool
    }

    struct Outcome {
        var delivered: [Delivered] = []
        var rejects: [Rejection] = []
        /// Records a dry run would have sent.
        var unsent: [Record] = []
    }

    private struct Pending {
        var parts: RequestTemplate.Parts
        var records: [Record]
    }

    let stage: String
    let template: RequestTemplate
    let auth: HTTPAuth?
    let signer: BodySigner?
    let idempotency: IdempotencyKeys
    let success: SuccessStatus
    let contentType: String
    let batchSize: Int
    let backoff: [Double]
    let limiter: TokenBucket?
    let timeout: Double
    let connectTimeout: Double
    let verifyTLS: Bool
    let client: HTTPMultiClient
    private var retriesLogged = 0
    private static let retryLogLimit = 20
    private var dryRunLogged = false

    init(_ options: Options, context: BuildContext, stage: String) throws {
        typealias O = HTTPRequestOptions
        self.stage = stage
        template = try RequestTemplate(options)
        auth = try RequestAuth.make(options)
        signer = try BodySigner(options)
        idempotency = try IdempotencyKeys(options, pipeline: context.pipelineName)
        success = try SuccessStatus(options)
        contentType = options[O.contentType]
        batchSize = options[O.batchSize]
        guard batchSize >= 1 else { throw options.error(O.batchSize, "batch_size must be at least 1") }
        let inFlight = options[O.maxInFlight]
        guard (1...1024).contains(inFlight) else {
            throw options.error(O.maxInFlight, "max_in_flight must be between 1 and 1024", hint: "8 to 64 suits most APIs")
        }
        backoff = options[O.retry][O.Retry.backoff]
        limiter = try RateLimitText.read(options).map { TokenBucket(rate: $0) }
        timeout = options[O.timeout]
        connectTimeout = options[O.connectTimeout]
        verifyTLS = options[O.verifyTLS]
        client = HTTPMultiClient(maxInFlight: inFlight)
    }

    func deliver(_ batch: Batch, _ context: RunContext) throws -> Outcome {
        var outcome = Outcome()
        let now = context.startedAt
        // Render each record; consecutive records bound for the same place share a request.
        var pending: [Pending] = []
        for record in batch.records {
            let parts: RequestTemplate.Parts
            do { parts = try template.parts(for: record.fields, now: now) } catch {
                outcome.rejects.append(Rejection(record: record, stage: stage, reasons: ["request not sent: \(error)"]))
                continue
            }
            if batchSize > 1, let last = pending.last, last.records.count < batchSize, last.parts.sameTarget(as: parts) {
                pending[pending.count - 1].records.append(record)
                pending[pending.count - 1].parts.body += "," + parts.body
            } else {
                pending.append(Pending(parts: parts, records: [record]))
            }
        }
        var requests: [HTTPRequest] = []
        var carried: [[Record]] = []
        for p in pending {
            do { requests.append(try request(for: p, context: context)); carried.append(p.records) } catch {
                outcome.rejects += p.records.map { Rejection(record: $0, stage: stage, reasons: ["request not sent: \(error)"]) }
            }
        }
        if context.dryRun {
            if !dryRunLogged && !requests.isEmpty {
                dryRunLogged = true
                context.logger.info("dry run: \(stage) sends no requests (first would be \(requests[0].method.rawValue) \(URLRedaction.redact(requests[0].url)))")
            }
            outcome.unsent = carried.flatMap { $0 }
            return outcome
        }
        guard !requests.isEmpty else { return outcome }

        // Stop at a signal, and at the run's deadline itself: requests whose timeouts were cut to the
        // deadline fail then, and must not be retried or followed by new ones before the watchdog says so.
        let deadline = context.deadline
        let stopped = { context.cancellation != nil || deadline.map { Date() >= $0 } == true }
        client.abortWhen = stopped
        var retry = RetryPolicy(backoff: backoff)
        retry.jitter = 0.5
        retry.isCancelled = stopped
        let exchanges = context.metrics.time("http_requests") {
            client.send(requests, retry: retry, rateLimit: limiter,
                        onSend: { _ in context.metrics.add("requests_sent", 1) },
                        log: { self.logRetry($0, context) })
        }
        // Cancelled: the run stops here; nothing is counted as rejected.
        try context.checkCancelled()
        if exchanges.contains(where: { $0.error?.kind == .cancelled }) {
            throw ETLError("run cancelled: timed out (the run's deadline passed with requests unanswered)")
        }

        for (i, exchange) in exchanges.enumerated() {
            let request = requests[i]
            if let response = exchange.response, success.contains(response.status) {
                context.metrics.add("requests_succeeded", 1)
                outcome.delivered.append(Delivered(records: carried[i], response: response, batched: batchSize > 1))
                continue
            }
            context.metrics.add("requests_failed", 1)
            let reason = Self.failure(request, exchange)
            outcome.rejects += carried[i].map { Rejection(record: $0, stage: stage, reasons: [reason]) }
        }
        return outcome
    }

    private func request(for pending: Pending, context: RunContext) throws -> HTTPRequest {
        let parts = pending.parts
        let sendsBody = parts.method != .get
        let bodyText = batchSize > 1 ? "[" + parts.body + "]" : parts.body
        let body = sendsBody ? Data(bodyText.utf8) : nil
        var request = HTTPRequest(method: parts.method, url: parts.url, headers: [],
                                  body: body, connectTimeout: connectTimeout,
                                  totalTimeout: min(timeout, context.remaining ?? timeout),
                                  verifyTLS: verifyTLS, followRedirects: false)
        if sendsBody { request.setHeader("Content-Type", contentType) }
        for (name, value) in parts.headers { request.setHeader(name, value) }
        if let auth { request.authorize(auth) }
        if let header = idempotency.header,
           let key = try idempotency.key(for: pending.records.map(\.fields), method: parts.method, url: parts.url,
                                         body: body ?? Data(), now: context.startedAt) {
            request.setHeader(header, key)
        }
        if let signer { let (name, value) = signer.signature(of: body ?? Data()); request.setHeader(name, value) }
        return request
    }

    /// One line: what was sent, what came back, and the start of the answer.
    static func failure(_ request: HTTPRequest, _ exchange: HTTPExchange) -> String {
        let target = "\(request.method.rawValue) \(URLRedaction.redact(request.url))"
        let tries = exchange.attempts == 1 ? "1 attempt" : "\(exchange.attempts) attempts"
        if let response = exchange.response {
            let excerpt = response.bodyExcerpt()
            return "HTTP \(response.status) from \(target) (\(tries))" + (excerpt.isEmpty ? "" : ": \(excerpt)")
        }
        return exchange.error?.message ?? "\(target) got no response"
    }

    private func logRetry(_ line: String, _ context: RunContext) {
        retriesLogged += 1
        if retriesLogged <= Self.retryLogLimit {
            context.logger.warning(line)
        } else if retriesLogged == Self.retryLogLimit + 1 {
            context.logger.warning("more \(stage) requests are being retried; only the first \(Self.retryLogLimit) retries are logged")
        }
        context.metrics.add("requests_retried", 1)
    }
}
