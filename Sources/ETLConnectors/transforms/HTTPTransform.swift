import Foundation
import ETLCore

/// Calls an HTTP API for each record (or each `batch_size` records) and merges
/// what the answer says into the record: ids the API assigned, its status.
public final class HTTPTransform: TransformConnector {
    static let response = OptionKey<Fields>("response", .map(.expression),
        doc: "Fields to merge into the record: expressions over `status`, `body` (parsed JSON) and `headers` (lower-case names); a dotted name nests.",
        example: "{external_id: body.id, crm_status: status}")

    public static let spec = ConnectorSpec(
        kind: .transform, name: "http",
        summary: "Send each record to an HTTP API and merge the response into it (ids, statuses).",
        description: """
        Each record (or each `batch_size` consecutive records) becomes one request: method, URL and headers are \
        templates over the record, the body is the record as JSON, a `fields` mapping or a `body` template. Up to \
        `max_in_flight` requests run at once, no faster than `rate_limit`. Network errors, timeouts, 429 (honouring \
        Retry-After) and 5xx are retried with jittered backoff; other statuses outside `success_status` are not. A \
        request that fails for good rejects its records with the status and the start of the response (the run goes \
        on unless `rejects.max` is passed). Every request carries an idempotency key that a replayed run sends again. \
        Metrics: `requests_sent` (attempts on the wire), `requests_succeeded`, `requests_failed`, `requests_retried`. \
        Redirects are not followed. A dry run sends nothing and passes records on unchanged.
        """,
        options: HTTPRequestOptions.all + [response],
        example: """
        transforms:
          - type: http
            method: 'if is_null(external_id) then "POST" else "PUT"'
            url: '${CRM_URL}/api/contacts{{ if is_null(external_id) then "" else "/" + external_id }}'
            auth:
              bearer: ${CRM_TOKEN}
            fields: {firstName: first_name, lastName: last_name, email: email}
            max_in_flight: 16
            rate_limit: 600/min
            response: {external_id: body.id, crm_status: status}
        """)

    let delivery: RequestDelivery
    let mapping: ResponseMapping
    let condition: RequestCondition

    public init(options: Options, context: BuildContext) throws {
        delivery = try RequestDelivery(options, context: context, stage: "http")
        condition = try RequestCondition(options)
        mapping = try ResponseMapping(options[Self.response], options: options, option: Self.response.name, stage: "http")
    }

    public func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput {
        let (send, pass, unevaluated) = condition.split(batch, context)
        let outcome = try delivery.deliver(send, context)
        var kept: [Record] = pass + outcome.unsent
        var rejects = unevaluated + outcome.rejects
        for delivered in outcome.delivered {
            let merged = mapping.apply(delivered, now: context.startedAt)
            kept += merged.records
            rejects += merged.rejects
        }
        return TransformOutput(Batch(kept), rejects: rejects)
    }
}
