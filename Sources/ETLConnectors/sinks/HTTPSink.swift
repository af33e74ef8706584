import Foundation
import ETLCore

/// Delivers each record (or each `batch_size` records) to an HTTP API and keeps nothing.
public final class HTTPSink: SinkConnector {
    public static let spec = ConnectorSpec(
        kind: .sink, name: "http",
        summary: "Deliver records to an HTTP API, one request each or in batches, with retries and a rate limit.",
        description: """
        Requests go out as batches arrive (up to `max_in_flight` at once, no faster than `rate_limit`) and cannot be \
        rolled back: a failed run has already delivered what it sent, which is why every request carries an \
        idempotency key that a replayed run sends again. Network errors, timeouts, 429 (honouring Retry-After) and 5xx \
        are retried with jittered backoff; a request that fails for good rejects its records with the status and the \
        start of the response, and the run goes on unless `rejects.max` is passed. Counts tell what happened: \
        `records_written` is the records in requests that succeeded (nothing is claimed as inserted); metrics \
        `requests_sent` (attempts on the wire), `requests_succeeded`, `requests_failed`, `requests_retried`. \
        Redirects are not followed. A dry run sends nothing.
        """,
        options: HTTPRequestOptions.all,
        example: """
        sink:
          type: http
          method: POST
          url: ${HOOK_URL}/events
          sign:
            secret: ${HOOK_SECRET}
            header: X-Hub-Signature-256
            prefix: "sha256="
          batch_size: 100
          max_in_flight: 8
          rate_limit: 20/s
        """)

    let delivery: RequestDelivery
    let condition: RequestCondition
    var written = 0

    public init(options: Options, context: BuildContext) throws {
        delivery = try RequestDelivery(options, context: context, stage: "http")
        condition = try RequestCondition(options)
    }

    public func open(_ context: RunContext) throws { written = 0 }

    public func write(_ batch: Batch, _ context: RunContext) throws {
        let (send, _, unevaluated) = condition.split(batch, context)
        unevaluated.forEach(context.reject)
        let outcome = try delivery.deliver(send, context)
        written += outcome.delivered.reduce(0) { $0 + $1.records.count }
        outcome.rejects.forEach(context.reject)
    }

    public func prepare(_ context: RunContext) throws -> SinkReport {
        var report = SinkReport()
        report.written = written
        return report
    }

    /// Delivered requests cannot be taken back.
    public func commit(_ context: RunContext) throws {}
    public func rollback(_ context: RunContext) {
        if written > 0 { context.logger.warning("http sink: \(written) records were already delivered and cannot be rolled back") }
    }
}
