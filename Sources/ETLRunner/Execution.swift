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
    /// Where rejected records go: none in a dry run (they are counted and logged, not stored),
    /// so a dry run needs no database for them either.
    private let rejectSink: Sink?
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
    /// Under --dry-run, sinks that could not open (no database, no table yet), by index:
    /// they count what they would be given instead of failing the preview.
    private var offline: [Int: (reason: String, count: Int)] = [:]
    /// Records each filter was given and kept: one that keeps none of a non-empty input is
    /// almost always a wrong condition (a misspelled field reads as null), so the run says so.
    private var filterCounts: [Int: (given: Int, kept: Int)] = [:]
    /// Under --dry-run, what the sinks say would change.
    private var diff: [(sink: String, lines: [String])] = []

    init(plan: PipelinePlan, context: RunContext, previewLimit: Int, checkpoint: ExecutionParticipant? = nil) {
        self.plan = plan; self.context = context; self.previewLimit = previewLimit; self.checkpoint = checkpoint
        rejectsContext = context.separateTransactions()
        rejectSink = context.dryRun ? nil : plan.rejectSink
        rejects = RejectStream(policy: plan.spec.rejects, sink: rejectSink, context: rejectsContext)
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
            // Only now is the data in: sinks with effects that cannot roll back act.
            for (_, sink) in plan.sinks { sink.didCommit(context) }
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
        offline = [:]; diff = []
        for (i, (stage, sink)) in plan.sinks.enumerated() {
            do { try sink.open(context) } catch where context.dryRun {
                // A dry run reads and transforms without a database: it shows what would be
                // written, without the diff a reachable database gives.
                offline[i] = ("\(error)", 0)
                context.logger.warning("dry run: sink \(stage.label) (\(stage.type)) cannot open, so no diff for it: \(error)")
            }
        }
        try checkpoint?.open(context)
        try rejectSink?.open(rejectsContext)
    }

    private func push(_ batch: Batch, from index: Int) throws {
        var current = batch
        for i in index..<plan.transforms.count {
            let out = try plan.transforms[i].transform.process(current, context)
            out.rejects.forEach(reject)
            if plan.transforms[i].stage.type == "filter" {
                filterCounts[i, default: (0, 0)].given += current.count
                filterCounts[i, default: (0, 0)].kept += out.batch.count
            }
            current = out.batch
            if current.isEmpty { return }
        }
        if context.dryRun && preview.count < previewLimit {
            preview += current.records.prefix(previewLimit - preview.count)
        }
        sinkBatchObserver?(current)
        // A sink with `route:` takes its route's records; a sink without one takes
        // every record, however many sinks there are.
        context.metrics.add(Progress.recordsToSinks, current.count)
        for (i, (stage, sink)) in plan.sinks.enumerated() {
            let mine = stage.route.map { route in Batch(current.records.filter { $0.route == route }) } ?? current
            if mine.isEmpty { continue }
            if offline[i] != nil { offline[i]!.count += mine.count; continue }
            try sink.write(mine, context)
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
        for (i, (stage, sink)) in plan.sinks.enumerated() {
            if let down = offline[i] { total.written += down.count; continue }
            let r = try sink.prepare(context)
            if !r.preview.isEmpty { diff.append((stage.label, r.preview)) }
            context.logger.info("sink \(stage.label): \(r.written) written, \(r.inserted) inserted, \(r.updated) updated, \(r.deleted) deleted")
            total.written += r.written; total.changed += r.changed
            total.inserted += r.inserted; total.updated += r.updated; total.deleted += r.deleted
            r.rejects.forEach(reject)
        }
        try prepareRejects()
        try context.checkCancelled()
        try rejects.checkLimit()
        try checkpoint?.write(context)
        warnAboutFiltersThatDroppedEverything()
        if context.dryRun { printDryRun(total) }
        return total
    }

    private func commit() throws {
        for (i, (_, sink)) in plan.sinks.enumerated() where offline[i] == nil { try sink.commit(context) }
        // Last: on a shared session this participant's commit is the COMMIT of data and cursor.
        try checkpoint?.commit(context)
        try rejectSink?.commit(rejectsContext)
        rejectsCommitted = true
    }

    private var rejectsCommitted = false
    private var rejectsPrepared = false

    private func prepareRejects() throws {
        guard let rejectSink, !rejectsPrepared else { return }
        try rejects.flush()
        _ = try rejectSink.prepare(rejectsContext)
        rejectsPrepared = true
    }

    private func rollback() {
        for (i, (_, sink)) in plan.sinks.enumerated() where offline[i] == nil { sink.rollback(context) }
        checkpoint?.rollback()
    }

    /// The data rolled back; the rejects seen so far are still written, in their own transaction.
    private func keepRejects() {
        guard keepsRejectsOfFailures, let rejectSink, !rejectsCommitted, rejects.count > 0 else { return }
        do {
            try prepareRejects()
            try rejectSink.commit(rejectsContext)
        } catch {
            rejectSink.rollback(rejectsContext)
            context.logger.error("the run's rejected records could not be kept either: \(error)")
        }
    }

    private func warnAboutFiltersThatDroppedEverything() {
        for (i, counts) in filterCounts.sorted(by: { $0.key < $1.key }) where counts.given > 0 && counts.kept == 0 {
            let stage = plan.transforms[i].stage
            let condition = stage.options.string("when").map { " (when: \($0))" } ?? ""
            context.logger.warning("\(stage.label) (filter) dropped all \(counts.given) records it was given\(condition); check the condition — a misspelled field reads as null")
            context.publish("filter_dropped_all", .string(stage.label))
        }
        filterCounts = [:]
    }

    /// Dry-run output is an edge: it passes the run's redactor.
    private func printDryRun(_ total: SinkReport) {
        var out = "dry run of \(plan.spec.name): rolled back, nothing changed\n"
        out += "would write \(total.written) records: \(total.inserted) inserted, \(total.updated) updated, \(total.deleted) deleted; \(context.metrics.count("records_rejected")) rejected\n"
        for (sink, lines) in diff {
            out += "would change (\(sink), from a rolled-back transaction):\n"
            for line in lines { out += "  " + line + "\n" }
        }
        for (i, down) in offline.sorted(by: { $0.key < $1.key }) {
            out += "\(plan.sinks[i].stage.label) (\(plan.sinks[i].stage.type)): would be given \(down.count) records (not reachable, no diff)\n"
        }
        if !preview.isEmpty {
            out += "first \(preview.count) records after transforms:\n"
            for r in preview { out += JSONWriter.string(r.value) + "\n" }
        }
        FileHandle.standardOutput.write(Data(context.redactor.redact(out).utf8))
    }
}
