import Foundation
import ETLCore
import ETLConfig
import ETLConnectors
import ETLPostgres
import struct ETLExpr.Expression

/// Takes a webhook pipeline's stored events through its plan. One per worker
/// thread (a plan's connectors hold per-execution state). Each claimed batch is
/// one transaction on the worker's own connection: the claim (`FOR UPDATE SKIP
/// LOCKED`), the sinks' writes and the inbox marks commit together.
public final class InboxProcessor {
    public let spec: PipelineSpec
    public let trigger: TriggerSpec
    public let store: InboxStore
    /// The inbox's database (the pipeline's `database:`).
    public let database: String
    let plan: PipelinePlan
    let source: WebhookSource
    let logger: Logger
    /// Counts of every batch committed by this processor, for the serve ledger row.
    public let totals: RunMetrics
    /// First retry after this many seconds, doubling each attempt (ETL_SERVE_BACKOFF overrides, for tests).
    public var backoffBase: Double = 1
    private let okBody: [(String, Expression)]
    private let rejectedBody: [(String, Expression)]

    public init(spec: PipelineSpec, registry: ConnectorRegistry, logger: Logger, totals: RunMetrics,
                disabledNotifiers: Set<String> = []) throws {
        guard let trigger = spec.trigger else { throw ETLError("\(spec.file): \(spec.name) has no `trigger:`") }
        guard let database = spec.ledger?.database ?? spec.setup?.database, !database.isEmpty else {
            throw ETLError("\(spec.file): a webhook pipeline needs `database:` — its inbox lives there",
                           hint: "add `database: ${DATABASE_URL}`")
        }
        self.spec = spec; self.trigger = trigger; self.database = database; self.totals = totals
        self.logger = logger.scoped(pipeline: spec.name, redactor: logger.redactor.including(spec.secrets))
        store = InboxStore(pipeline: spec.name)
        plan = try PipelinePlan(spec, registry: registry, dryRun: false, disabledNotifiers: disabledNotifiers)
        guard let webhook = plan.source as? WebhookSource else {
            throw ETLError("\(spec.file): `trigger:` needs `source: {type: webhook}`")
        }
        source = webhook
        okBody = try (trigger.response?.ok.body ?? []).map { ($0.name, try Expression.compile($0.expression)) }
        rejectedBody = try (trigger.response?.rejected.body ?? []).map { ($0.name, try Expression.compile($0.expression)) }
    }

    public struct DrainResult { public var claimed = 0; public var done = 0; public var failed = 0; public var dead = 0 }

    /// Claims up to `limit` ready events and processes them; a failing batch is retried
    /// event by event so that only the poison event is charged an attempt.
    public func drainOnce(_ c: PostgresConnection, limit: Int, onDead: (Int64, String) -> Void = { _, _ in }) throws -> DrainResult {
        var result = DrainResult()
        try c.execute("BEGIN")
        let events: [InboxEvent]
        do { events = try store.claim(c, limit: limit) } catch { _ = try? c.execute("ROLLBACK"); throw error }
        result.claimed = events.count
        guard !events.isEmpty else { try c.execute("ROLLBACK"); return result }
        do {
            try process(events, on: c)
            result.done = events.count
            return result
        } catch {
            endTransaction(c)
            guard events.count > 1 else {
                fail(events[0].id, error, on: c, &result, onDead)
                return result
            }
            logger.warning("batch of \(events.count) events failed (\(error)); retrying them one by one to find the failing one")
        }
        for event in events {
            try c.execute("BEGIN")
            guard let claimed = try store.claim(c, limit: 1, id: event.id).first else { try c.execute("ROLLBACK"); continue }
            do {
                try process([claimed], on: c)
                result.done += 1
            } catch {
                endTransaction(c)
                fail(claimed.id, error, on: c, &result, onDead)
            }
        }
        return result
    }

    private func endTransaction(_ c: PostgresConnection) {
        if c.isInTransaction { _ = try? c.execute("ROLLBACK") }
    }

    private func fail(_ id: Int64, _ error: Error, on c: PostgresConnection, _ result: inout DrainResult, _ onDead: (Int64, String) -> Void) {
        let message = MessageCap.cap(logger.redactor.redact("\(error)"))
        result.failed += 1
        do {
            if try store.recordFailure(c, id: id, error: message, maxAttempts: trigger.maxAttempts, backoffBase: backoffBase) {
                result.dead += 1
                logger.error("inbox event \(id) of \(spec.name) is dead after \(trigger.maxAttempts) attempts: \(message)")
                notifyDead(id, message)
                onDead(id, message)
            } else {
                logger.warning("inbox event \(id) of \(spec.name) failed, will be retried: \(message)")
            }
        } catch {
            logger.error("could not record the failure of inbox event \(id): \(error)")
        }
    }

    /// The pipeline's notifiers hear of a dead letter with status "dead_letter", the event id and the error.
    private func notifyDead(_ id: Int64, _ message: String) {
        let context = RunContext(runID: "inbox-\(id)", pipeline: spec.name, logger: logger)
        var v = Fields()
        v["pipeline"] = .string(spec.name)
        v["run_id"] = .string("inbox-\(id)")
        v["status"] = .string("dead_letter")
        v["event_id"] = .int(id)
        v["error"] = .string(message)
        v["duration"] = .double(0)
        NotificationRules(plan.notifyRules, logger: logger, dryRun: false).evaluate(v, context: context)
    }

    /// Thrown inside the transaction when an `on_commit` event had a record rejected: nothing it wrote stays.
    struct RejectedEvent: Error { var status: Int; var body: String; var message: String }

    /// Runs `events` (already claimed or just inserted in the open transaction on `c`) through
    /// the plan and commits. With `respond`, the answer is computed before the commit and stored.
    @discardableResult
    func process(_ events: [InboxEvent], on c: PostgresConnection, respond: Bool = false) throws -> (status: Int, body: String)? {
        let context = RunContext(runID: PipelineRunner.makeRunID(), pipeline: spec.name, logger: logger)
        context.batchSize = spec.batchSize
        PostgresSession.adopt(c, url: database, context: context)
        defer { context.temporaryFiles.removeAll() }

        var records: [Record] = []
        var ranges: [(id: Int64, range: Range<Int>)] = []
        for event in events {
            let start = records.count
            let body = try event.body.withUnsafeBufferPointer { buf -> Value in
                var parser = JSONDocumentParser()
                return try parser.parse(buf, source: "inbox event \(event.id)")
            }
            for fields in try source.records(body: body, headers: event.headers, receivedAt: .string(event.receivedAt)) {
                records.append(Record(fields, position: records.count))
            }
            ranges.append((event.id, start..<records.count))
        }
        context.metrics.add("records_read", records.count)
        var rejectedPositions = Set<Int>()
        var firstRejection: Rejection?
        var lastApplied: Record?
        var response: (status: Int, body: String)?
        let marks = InboxMarks(database: database, store: store) { [self] in
            var done: [Int64] = [], rejected: [Int64] = []
            for (id, range) in ranges {
                if !range.isEmpty && range.allSatisfy(rejectedPositions.contains) { rejected.append(id) } else { done.append(id) }
            }
            if respond {
                if let r = firstRejection {
                    let answer = answer(rejectedBody, trigger.response?.rejected.status ?? 400, r.record.fields,
                                        extra: ["error": .string(r.reasons.joined(separator: "; "))])
                    throw RejectedEvent(status: answer.status, body: answer.body, message: r.message)
                }
                response = answer(okBody, trigger.response?.ok.status ?? 200, (lastApplied ?? records.last)?.fields ?? Fields(), extra: [:])
            }
            return (done, rejected, response)
        }
        let execution = Execution(plan: plan, context: context, previewLimit: 0, checkpoint: marks)
        execution.rejectionObserver = { r in
            rejectedPositions.insert(r.record.position)
            if firstRejection == nil { firstRejection = r }
        }
        execution.sinkBatchObserver = { batch in lastApplied = batch.records.last }
        // A failed batch is processed again (event by event, then with backoff): its rejects come again then.
        execution.keepsRejectsOfFailures = false
        try execution.run { emit in if !records.isEmpty { try emit(Batch(records)) } }
        for (name, value) in context.metrics.snapshot { if let n = value.intValue { totals.add(name, Int(n)) } }
        totals.add("events_processed", events.count)
        return response
    }

    private func answer(_ body: [(String, Expression)], _ status: Int, _ record: Fields, extra: [String: Value]) -> (status: Int, body: String) {
        var scope = record
        for (k, v) in extra { scope[k] = v }
        var out = Fields()
        for (name, expression) in body {
            out[name] = (try? expression.evaluate(record: scope, variables: Fields(), now: Date())) ?? .null
        }
        return (status, JSONWriter.string(.object(out)))
    }

    public enum CommitOutcome {
        case applied(status: Int, body: String, id: Int64)
        case rejected(status: Int, body: String, id: Int64)
        case duplicate(status: Int?, body: String?)
    }

    /// `ack: on_commit`: the request is stored and processed in one transaction on `c`. A rejected
    /// record rolls everything back; the inbox then keeps the event as `rejected` with its answer,
    /// so a repeat gets the same answer. Any other failure stores nothing and throws.
    public func processNow(_ c: PostgresConnection, key: String, body: [UInt8], headers: Fields) throws -> CommitOutcome {
        try c.execute("BEGIN")
        do {
            guard let id = try store.insert(c, key: key, body: body, headers: headers) else {
                try c.execute("ROLLBACK")
                let stored = try store.stored(c, key: key)
                return .duplicate(status: stored?.responseStatus, body: stored?.responseBody)
            }
            let received = try c.execute("SELECT \(InboxStore.receivedAtText) FROM etl_inbox WHERE id = $1", [.int(id)]).value(row: 0, column: 0)
            let event = InboxEvent(id: id, body: body, headers: headers, receivedAt: received.stringValue ?? "", attempts: 0)
            do {
                let answer = try process([event], on: c, respond: true)
                return .applied(status: answer?.status ?? 200, body: answer?.body ?? "{}", id: id)
            } catch let r as RejectedEvent {
                endTransaction(c)
                logger.warning("on_commit event refused: \(r.message)")
                let kept = try store.insert(c, key: key, body: body, headers: headers, status: "rejected")
                if let kept {
                    try c.execute("UPDATE etl_inbox SET response_status = $2, response_body = $3, processed_at = now(), attempts = 1 WHERE id = $1",
                                  [.int(kept), .int(Int64(r.status)), .string(r.body)])
                }
                return .rejected(status: r.status, body: r.body, id: kept ?? 0)
            }
        } catch {
            endTransaction(c)
            throw error
        }
    }
}
