import Foundation
import ETLCore
import ETLConfig

/// One unit of input — a whole source for `etl run`; one batch or one claimed
/// inbox batch for the drivers to come — taken through the plan's transforms
/// and sinks inside one transaction: sinks opened, batches pushed, transforms
/// finished, sinks prepared, rejects checked, then everything committed. When
/// anything throws, every sink is rolled back before the error goes on — except
/// the rejects sink: it has transactions of its own, so the record of what was
/// refused survives a rolled-back run (that is when it matters most).
final class Execution {
    private let plan: PipelinePlan
    private let context: RunContext
    private let rejectsContext: RunContext
    private let rejects: RejectStream
    private let previewLimit: Int
    /// Writes of its own in the sinks' transaction, committed last: the saved cursor, the inbox marks.
    private let checkpoint: ExecutionParticipant?
    /// Sees every record refused in this execution (an inbox batch tells its events apart by them).
    var rejectionObserver: ((Rejection) -> Void)?
    /// Whether the rejects seen by a failed execution are still written. An inbox batch says
    /// no: its events are processed again, and their rejects would be written twice.
    var keepsRejectsOfFailures = true
    /// Sees every batch handed to the sinks (an on_commit answer is computed from its last record).
    var sinkBatchObserver: ((Batch) -> Void)?
    /// The first records after transforms, for `--dry-run`.
    private(set) var preview: [Record] = []

    init(plan: PipelinePlan, context: RunContext, previewLimit: Int, checkpoint: ExecutionParticipant? = nil) {
        self.plan = plan; self.context = context; self.previewLimit = previewLimit; self.checkpoint = checkpoint
        rejectsContext = context.separateTransactions()
        rejects = RejectStream(policy: plan.spec.rejects, sink: plan.rejectSink, context: rejectsContext)
    }

    /// Reads `source` to the end and commits; returns what the sinks did.
    @discardableResult
    func run(reading source: Source) throws -> SinkReport {
        try run { emit in try source.read(context, emit: emit) }
    }

    /// Takes the batches `feed` hands over (all of a source, or the one batch of a
    /// checkpointed run) through the plan and commits them as one transaction.
    @discardableResult
    func run(_ feed: (_ emit: (Batch) throws -> Void) throws -> Void) throws -> SinkReport {
        // One object serves every unit of a run (each batch of `commit: batch`): the rejects'
        // own context and the log limit span the run; only these flags are per unit.
        rejectsPrepared = false; rejectsCommitted = false
        context.rejectHandler = { [weak self] in self?.reject($0) }
        do {
            try open()
            try feed { batch in
                try self.context.checkCancelled()
                try self.push(batch, from: 0)
            }
            let total = try finish()
            try commit()
            count(total)
            return total
        } catch {
            rollback()
            keepRejects()
            throw error
        }
    }

    private func reject(_ r: Rejection) {
        rejects.add(r)
        rejectionObserver?(r)
    }

    /// Counted once committed, so a rolled-back run says it wrote nothing.
    private func count(_ total: SinkReport) {
        context.metrics.add("records_written", total.written)
        context.metrics.add("items_changed", total.changed)
        context.metrics.add("inserted", total.inserted)
        context.metrics.add("updated", total.updated)
        context.metrics.add("deleted", total.deleted)
    }

    private func open() throws {
        for (_, sink) in plan.sinks { try sink.open(context) }
        try checkpoint?.open(context)
        try plan.rejectSink?.open(rejectsContext)
    }

    private func push(_ batch: Batch, from index: Int) throws {
        var current = batch
        for (_, transform) in plan.transforms[index...] {
            let out = try transform.process(current, context)
            out.rejects.forEach(reject)
            current = out.batch
            if current.isEmpty { return }
        }
        if context.dryRun && preview.count < previewLimit {
            preview += current.records.prefix(previewLimit - preview.count)
        }
        sinkBatchObserver?(current)
        // A sink with `route:` takes its route's records; a sink without one takes
        // every record, however many sinks there are.
        for (stage, sink) in plan.sinks {
            if let route = stage.route {
                let mine = current.records.filter { $0.route == route }
                if !mine.isEmpty { try sink.write(Batch(mine), context) }
            } else {
                try sink.write(current, context)
            }
        }
    }

    /// Transforms release what they hold, sinks apply what they staged, rejects are checked.
    private func finish() throws -> SinkReport {
        for i in plan.transforms.indices {
            let out = try plan.transforms[i].transform.finish(context)
            out.rejects.forEach(reject)
            if !out.batch.isEmpty { try push(out.batch, from: i + 1) }
        }
        try context.checkCancelled()

        var total = SinkReport()
        for (stage, sink) in plan.sinks {
            let r = try sink.prepare(context)
            context.logger.info("sink \(stage.label): \(r.written) written, \(r.inserted) inserted, \(r.updated) updated, \(r.deleted) deleted")
            total.written += r.written; total.changed += r.changed
            total.inserted += r.inserted; total.updated += r.updated; total.deleted += r.deleted
            r.rejects.forEach(reject)
        }
        try prepareRejects()
        try context.checkCancelled()
        try rejects.checkLimit()
        try checkpoint?.write(context)
        if context.dryRun { printDryRun(total) }
        return total
    }

    private func commit() throws {
        for (_, sink) in plan.sinks { try sink.commit(context) }
        // Last: on a shared session this participant's commit is the COMMIT of data and cursor.
        try checkpoint?.commit(context)
        try plan.rejectSink?.commit(rejectsContext)
        rejectsCommitted = true
    }

    private var rejectsCommitted = false
    private var rejectsPrepared = false

    private func prepareRejects() throws {
        guard let rejectSink = plan.rejectSink, !rejectsPrepared else { return }
        try rejects.flush()
        _ = try rejectSink.prepare(rejectsContext)
        rejectsPrepared = true
    }

    private func rollback() {
        for (_, sink) in plan.sinks { sink.rollback(context) }
        checkpoint?.rollback()
    }

    /// The data rolled back; the rejects seen so far are still written, in their own transaction.
    private func keepRejects() {
        guard keepsRejectsOfFailures, let rejectSink = plan.rejectSink, !rejectsCommitted, rejects.count > 0 else { return }
        do {
            try prepareRejects()
            try rejectSink.commit(rejectsContext)
        } catch {
            rejectSink.rollback(rejectsContext)
            context.logger.error("the run's rejected records could not be kept either: \(error)")
        }
    }

    /// Dry-run output is an edge: it passes the run's redactor.
    private func printDryRun(_ total: SinkReport) {
        var out = "dry run of \(plan.spec.name): nothing was written\n"
        out += "would write \(total.written) records: \(total.inserted) inserted, \(total.updated) updated, \(total.deleted) deleted; \(context.metrics.count("records_rejected")) rejected\n"
        if !preview.isEmpty {
            out += "first \(preview.count) records after transforms:\n"
            for r in preview { out += JSONWriter.string(r.value) + "\n" }
        }
        FileHandle.standardOutput.write(Data(context.redactor.redact(out).utf8))
    }
}
