import Foundation
import ETLCore
import ETLConfig

/// Where an execution's refused records go: counted, logged up to
/// `rejects.log_limit`, forwarded in batches to the rejects sink, and checked
/// against `rejects.max` before anything commits.
final class RejectStream {
    struct LimitExceeded: Error { var message: String }

    private let policy: RejectsPolicy
    private let sink: Sink?
    private let context: RunContext
    private var seen = 0
    private var pending: [Rejection] = []
    /// A rejects-sink write that failed mid-run (the reject handler cannot throw): fails the run at the end.
    private var sinkError: Error?

    /// Records refused so far in this execution.
    var count: Int { seen }

    init(policy: RejectsPolicy, sink: Sink?, context: RunContext) {
        self.policy = policy; self.sink = sink; self.context = context
    }

    func add(_ r: Rejection) {
        seen += 1
        context.metrics.add("records_rejected", 1)
        if seen <= policy.logLimit {
            context.logger.warning(r.message)
        } else if seen == policy.logLimit + 1 {
            context.logger.warning("more records rejected; only the first \(policy.logLimit) are logged one by one (rejects.log_limit)")
        }
        guard sink != nil else { return }
        pending.append(r)
        if pending.count >= context.batchSize {
            do { try flush() } catch { if sinkError == nil { sinkError = error } }
        }
    }

    /// Writes what is pending and fails if an earlier write failed.
    func flush() throws {
        if let sinkError { throw ETLError("rejects sink failed: \(sinkError)") }
        guard let sink, !pending.isEmpty else { return }
        let records = pending.map { r -> Record in
            var f = r.record.fields
            f["_position"] = .int(Int64(r.record.position))
            f["_stage"] = .string(r.stage)
            // Reasons may quote what an API answered (an echoed token): they leave the process redacted.
            f["_reasons"] = .array(r.reasons.map { .string(context.redactor.redact($0)) })
            f["_run_id"] = .string(context.runID)
            return Record(f, position: r.record.position)
        }
        pending.removeAll()
        try sink.write(Batch(records), context)
    }

    func checkLimit() throws {
        let rejected = Int(context.metrics.count("records_rejected"))
        let read = max(1, Int(context.metrics.count("records_read")))
        if let maxCount = policy.maxCount, rejected > maxCount {
            throw LimitExceeded(message: "\(rejected) records rejected, more than rejects.max \(maxCount); rolled back")
        }
        if let fraction = policy.maxFraction, Double(rejected) / Double(read) > fraction {
            throw LimitExceeded(message: String(format: "%d of %d records rejected (%.2f%%), more than rejects.max %.2f%%; rolled back",
                                                rejected, read, 100 * Double(rejected) / Double(read), fraction * 100))
        }
    }
}
