import Foundation
import ETLCore
import ETLConfig
import ETLConnectors
import ETLPostgres

/// Runs one pipeline: lock, ledger row, source → transforms → sinks in batches,
/// one transaction per sink, then ledger and notifiers. Whatever goes wrong,
/// the sinks are rolled back, the ledger says `failed` and the lock is released.
public final class PipelineRunner {
    public struct Settings {
        public var dryRun = false
        /// Notifiers whose options use unset environment variables: skipped with a warning.
        public var disabledNotifiers: Set<String> = []
        /// How often the watchdog checks the timeout and the "still running" rules.
        public var watchdogInterval: Double = 5
        /// Given by the CLI so that lines logged before the run starts carry it too.
        public var runID: String?
        /// Records shown by --dry-run.
        public var previewLimit = 10
        public init() {}
    }

    let spec: PipelineSpec
    let registry: ConnectorRegistry
    let logger: Logger
    let settings: Settings

    public init(spec: PipelineSpec, registry: ConnectorRegistry, logger: Logger, settings: Settings = Settings()) {
        self.spec = spec; self.registry = registry; self.logger = logger; self.settings = settings
    }

    // The parts of one run.
    private var context: RunContext!
    private var notifications: NotificationRules!
    private var sinks: [(spec: StageSpec, sink: Sink)] = []
    private var rejectSink: Sink?
    private var rejectsSeen = 0
    private var pendingRejects: [Rejection] = []
    /// A rejects-sink write that failed mid-run (the reject handler cannot throw): fails the run at the end.
    private var rejectSinkError: Error?
    private var preview: [Record] = []

    public func run() -> RunOutcome {
        let runID = settings.runID ?? Self.makeRunID()
        logger.runID = runID
        logger.pipeline = spec.name
        context = RunContext(runID: runID, pipeline: spec.name, logger: logger, dryRun: settings.dryRun)
        context.batchSize = spec.batchSize
        context.rejectHandler = { [unowned self] in self.handleReject($0) }
        notifications = NotificationRules(logger: logger, dryRun: settings.dryRun)

        // Building connectors can still fail on options only they understand: a configuration error.
        let source: Source
        let transforms: [(StageSpec, Transform)]
        do {
            let build = BuildContext(baseDirectory: spec.baseDirectory, pipelineName: spec.name,
                                     dryRun: settings.dryRun, registry: registry)
            source = try registry.make(.source, spec.source.type, spec.source.options, build, as: Source.self)
            transforms = try spec.transforms.map { ($0, try registry.make(.transform, $0.type, $0.options, build, as: Transform.self)) }
            sinks = try spec.sinks.map { ($0, try registry.make(.sink, $0.type, $0.options, build, as: Sink.self)) }
            if let r = spec.rejects.sink { rejectSink = try registry.make(.sink, r.type, r.options, build, as: Sink.self) }
            for n in spec.notifiers {
                if settings.disabledNotifiers.contains(n.stage.label) { continue }
                try notifications.add(try registry.make(.notifier, n.stage.type, n.stage.options, build, as: Notifier.self), spec: n)
            }
        } catch {
            logger.error("\(spec.file): \(error)")
            return RunOutcome(exitCode: .invalidConfig, status: "invalid", variables: variables(status: "invalid"))
        }

        // The control connection holds the lock and writes the ledger, outside the data transaction.
        var control: RunControl?
        defer { control?.close() }
        let database = spec.ledger?.database ?? spec.lock?.database ?? spec.setup?.database
        if let database, !settings.dryRun {
            do {
                let c = try RunControl(database: database, spec: spec, logger: logger)
                control = c
                if case .overlap(let reason) = try c.start(runID: runID, context: context) { return overlap(reason) }
            } catch {
                let message = "\(error)"
                logger.error("\(spec.name) failed before start: \(message)")
                control?.recordFailureBeforeStart(runID: runID, error: message, variables: variables(status: "failed", error: message))
                notifications.evaluate(variables(status: "failed", error: message), context: context)
                return RunOutcome(exitCode: .failed, status: "failed", variables: variables(status: "failed", error: message))
            }
        }

        let signals = SignalCancellation(context: context)
        context.deadline = context.startedAt.addingTimeInterval(spec.timeout)
        // Short timeouts (tests, --set timeout=5s) are still enforced promptly.
        let interval = max(0.1, min(settings.watchdogInterval, spec.timeout / 10))
        let watchdog = Watchdog(context: context, timeout: spec.timeout, interval: interval) { [unowned self] in
            self.notifications.evaluate(self.variables(status: "running"), context: self.context)
        }
        watchdog.start()
        defer { watchdog.stop(); signals.cancel() }

        var status = "completed"
        var errorMessage: String?
        var exitCode = RunExitCode.success
        do {
            try execute(source: source, transforms: transforms)
        } catch let e as RejectLimitExceeded {
            status = "failed"; errorMessage = e.message; exitCode = .rejectsExceeded
        } catch {
            status = "failed"
            // A cancellation surfaces as whatever error the interrupted call raised; name the cause.
            errorMessage = context.cancellation.map { "run cancelled: \($0)" } ?? "\(error)"
            exitCode = .failed
        }
        if status == "failed" {
            for (_, sink) in sinks { sink.rollback(context) }
            rejectSink?.rollback(context)
        } else {
            control?.saveState(context)
        }

        let finalVariables = variables(status: status, error: errorMessage)
        control?.finish(status: status, error: errorMessage, variables: finalVariables)
        report(finalVariables, errorMessage)
        notifications.evaluate(finalVariables, context: context)
        return RunOutcome(exitCode: exitCode, status: status, variables: finalVariables)
    }

    // MARK: the data path

    private func execute(source: Source, transforms: [(StageSpec, Transform)]) throws {
        for (_, sink) in sinks { try sink.open(context) }
        try rejectSink?.open(context)

        try source.read(context) { batch in
            try context.checkCancelled()
            try self.push(batch, from: 0, transforms)
        }
        // Transforms holding records (dedupe keep-last) release them now, in order.
        for i in transforms.indices {
            let out = try transforms[i].1.finish(context)
            out.rejects.forEach(handleReject)
            if !out.batch.isEmpty { try push(out.batch, from: i + 1, transforms) }
        }
        try context.checkCancelled()

        var total = SinkReport()
        for (stage, sink) in sinks {
            let r = try sink.prepare(context)
            logger.info("sink \(stage.label): \(r.written) written, \(r.inserted) inserted, \(r.updated) updated, \(r.deleted) deleted")
            total.written += r.written; total.changed += r.changed
            total.inserted += r.inserted; total.updated += r.updated; total.deleted += r.deleted
            r.rejects.forEach(handleReject)
        }
        context.metrics.add("records_written", total.written)
        context.metrics.add("items_changed", total.changed)
        context.metrics.add("inserted", total.inserted)
        context.metrics.add("updated", total.updated)
        context.metrics.add("deleted", total.deleted)
        if let rejectSinkError { throw ETLError("rejects sink failed: \(rejectSinkError)") }
        try flushRejects()
        if let rejectSink { _ = try rejectSink.prepare(context) }
        try context.checkCancelled()
        try checkRejectLimit()

        if settings.dryRun { printDryRun(total) }
        for (_, sink) in sinks { try sink.commit(context) }
        try rejectSink?.commit(context)
    }

    private func push(_ batch: Batch, from index: Int, _ transforms: [(StageSpec, Transform)]) throws {
        var current = batch
        for (_, transform) in transforms[index...] {
            let out = try transform.process(current, context)
            out.rejects.forEach(handleReject)
            current = out.batch
            if current.isEmpty { return }
        }
        if settings.dryRun && preview.count < settings.previewLimit {
            preview += current.records.prefix(settings.previewLimit - preview.count)
        }
        // A sink with `route:` takes its route's records; a sink without one takes
        // every record, however many sinks there are.
        for (stage, sink) in sinks {
            if let route = stage.route {
                let mine = current.records.filter { $0.route == route }
                if !mine.isEmpty { try sink.write(Batch(mine), context) }
            } else {
                try sink.write(current, context)
            }
        }
    }

    // MARK: rejects

    private func handleReject(_ r: Rejection) {
        rejectsSeen += 1
        context.metrics.add("records_rejected", 1)
        if rejectsSeen <= spec.rejects.logLimit {
            logger.warning(r.message)
        } else if rejectsSeen == spec.rejects.logLimit + 1 {
            logger.warning("more records rejected; only the first \(spec.rejects.logLimit) are logged one by one (rejects.log_limit)")
        }
        if rejectSink != nil { pendingRejects.append(r) }
        if pendingRejects.count >= context.batchSize {
            do { try flushRejects() } catch { if rejectSinkError == nil { rejectSinkError = error } }
        }
    }

    private func flushRejects() throws {
        guard let rejectSink, !pendingRejects.isEmpty else { return }
        let records = pendingRejects.map { r -> Record in
            var f = r.record.fields
            f["_position"] = .int(Int64(r.record.position))
            f["_stage"] = .string(r.stage)
            f["_reasons"] = .array(r.reasons.map { .string($0) })
            f["_run_id"] = .string(context.runID)
            return Record(f, position: r.record.position)
        }
        pendingRejects.removeAll()
        try rejectSink.write(Batch(records), context)
    }

    struct RejectLimitExceeded: Error { var message: String }

    private func checkRejectLimit() throws {
        let rejected = Int(context.metrics.count("records_rejected"))
        let read = max(1, Int(context.metrics.count("records_read")))
        if let maxCount = spec.rejects.maxCount, rejected > maxCount {
            throw RejectLimitExceeded(message: "\(rejected) records rejected, more than rejects.max \(maxCount); rolled back")
        }
        if let fraction = spec.rejects.maxFraction, Double(rejected) / Double(read) > fraction {
            throw RejectLimitExceeded(message: String(format: "%d of %d records rejected (%.2f%%), more than rejects.max %.2f%%; rolled back",
                                                      rejected, read, 100 * Double(rejected) / Double(read), fraction * 100))
        }
    }

    // MARK: reporting

    private func overlap(_ reason: String) -> RunOutcome {
        let v = variables(status: "overlap", error: "overlap detected: \(reason)")
        logger.warning("\(spec.name): overlap detected — \(reason); this run is skipped")
        notifications.evaluate(v, context: context)
        return RunOutcome(exitCode: .skipped, status: "overlap", variables: v)
    }

    /// `vars:` evaluated once per run (a bad one was caught by validate; here it becomes null).
    private lazy var pipelineVars: Fields = {
        var out = Fields()
        // Names are unique (a YAML mapping); appending keeps many vars linear.
        for v in spec.vars {
            out.appendUnchecked(v.name, (try? Expression.compile(v.expression).evaluate(record: Fields(), variables: out, now: Date())) ?? .null)
        }
        return out
    }()

    func variables(status: String, error: String? = nil) -> Fields {
        var v = pipelineVars
        v["pipeline"] = .string(spec.name)
        v["run_id"] = .string(context?.runID ?? "")
        v["status"] = .string(status)
        v["error"] = error.map { .string(Redactor.shared.redact($0)) } ?? .null
        v["started_at"] = .timestamp(context?.startedAt ?? Date())
        let elapsed = context?.elapsed ?? 0
        v["duration"] = .double(elapsed)
        v["duration_ms"] = .int(Int64(elapsed * 1000))
        v["dry_run"] = .bool(settings.dryRun)
        for name in ["records_read", "records_rejected", "records_written", "items_changed", "inserted", "updated", "deleted", "conflicts",
                     "emails_sent", "emails_failed", "pages_fetched"] {
            v[name] = .int(context?.metrics.count(name) ?? 0)
        }
        v["api_latency_ms"] = context?.metrics.value("api_latency_ms") ?? .null
        v["archive_path"] = context?.metrics.value("archive_path") ?? .null
        return v
    }

    /// Quiet on success: one summary line. Loud on failure: the error on stderr.
    private func report(_ v: Fields, _ error: String?) {
        var fields = Fields()
        for name in ["records_read", "records_written", "records_rejected", "items_changed", "api_latency_ms", "duration_ms", "archive_path"] {
            if let value = v[name], !value.isNull { fields[name] = value }
        }
        for (name, value) in context.metrics.snapshot where name.hasSuffix("_ms") && fields[name] == nil { fields[name] = value }
        if let error {
            logger.error("\(spec.name) failed: \(error)", fields)
        } else {
            logger.summary("\(spec.name) \(v["status"]?.text ?? "") run=\(context.runID)", fields)
        }
    }

    private func printDryRun(_ total: SinkReport) {
        var out = "dry run of \(spec.name): nothing was written\n"
        out += "would write \(total.written) records: \(total.inserted) inserted, \(total.updated) updated, \(total.deleted) deleted; \(context.metrics.count("records_rejected")) rejected\n"
        if !preview.isEmpty {
            out += "first \(preview.count) records after transforms:\n"
            for r in preview { out += JSONWriter.string(r.value) + "\n" }
        }
        FileHandle.standardOutput.write(Data(Redactor.shared.redact(out).utf8))
    }

    public static func makeRunID() -> String {
        let stamp = Timestamps.format(Date(), "%Y%m%dT%H%M%SZ")
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(stamp)-\(random)"
    }
}
