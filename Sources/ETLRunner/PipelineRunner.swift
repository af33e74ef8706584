import Foundation
import ETLCore
import ETLConfig
import ETLConnectors
import ETLPostgres

/// `etl run`: one execution of a pipeline's plan over its whole source, with
/// the lock, the ledger row, the timeout and the notifiers around it. Whatever
/// goes wrong, the sinks are rolled back, the ledger says `failed` and the lock
/// is released.
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
        /// Draw a progress line on stderr (the CLI sets it when stderr is a terminal and not --quiet).
        public var showProgress = false
        /// Where `--metrics-file` writes the run's figures (Prometheus text format).
        public var metricsFile: String?
        public init() {}
    }

    let spec: PipelineSpec
    let registry: ConnectorRegistry
    let settings: Settings
    /// The run's own logger: its run id, its pipeline, its secrets.
    let logger: Logger
    let runID: String

    public init(spec: PipelineSpec, registry: ConnectorRegistry, logger: Logger, settings: Settings = Settings()) {
        self.spec = spec; self.registry = registry; self.settings = settings
        runID = settings.runID ?? Self.makeRunID()
        self.logger = logger.scoped(runID: runID, pipeline: spec.name, redactor: logger.redactor.including(spec.secrets))
    }

    public func run() -> RunOutcome {
        let context = RunContext(runID: runID, pipeline: spec.name, logger: logger, dryRun: settings.dryRun)
        context.batchSize = spec.batchSize
        defer { context.temporaryFiles.removeAll() }
        let report = RunReport(spec: spec, context: context)

        let plan: PipelinePlan
        do {
            plan = try PipelinePlan(spec, registry: registry, dryRun: settings.dryRun, disabledNotifiers: settings.disabledNotifiers)
        } catch {
            logger.error("\(spec.file): \(error)")
            return RunOutcome(exitCode: .invalidConfig, status: .invalid, variables: report.variables(.invalid))
        }
        report.vars = plan.evaluateVars(now: context.startedAt)
        context.vars = report.vars
        let notifications = NotificationRules(plan.notifyRules, logger: logger, dryRun: settings.dryRun)

        // Signals are caught before the lock and the ledger row exist: one arriving in between
        // cancels the run (ledger `failed`) instead of killing it with the row left `running`.
        let signals = SignalCancellation(context: context)
        defer { signals.cancel() }
        let control: RunControl?
        switch start(context, report, notifications) {
        case .started(let c): control = c
        case .stopped(let outcome): return outcome
        }
        defer { control?.close() }

        context.deadline = context.startedAt.addingTimeInterval(spec.timeout)
        // Short timeouts (tests, --set timeout=5s) are still enforced promptly.
        let interval = max(0.1, min(settings.watchdogInterval, spec.timeout / 10))
        let watchdog = Watchdog(context: context, timeout: spec.timeout, interval: interval) {
            notifications.evaluate(report.variables(.running), context: context)
        }
        watchdog.start()
        defer { watchdog.stop() }

        context.showsProgress = settings.showProgress
        let progress = settings.showProgress ? ProgressDisplay(context: context) : nil
        progress?.start()
        var outcome = execute(plan, context, control, report)
        progress?.stop()
        finish(&outcome, control, context, report)
        notifications.evaluate(outcome.variables, context: context)
        return outcome
    }

    private enum Start {
        /// Going ahead, with the control connection (nil without a database, or in a dry run).
        case started(RunControl?)
        /// Skipped (overlap) or failed before the ledger row: nothing was touched.
        case stopped(RunOutcome)
    }

    /// Lock, setup SQL and the ledger row, on a control connection outside the data transaction.
    private func start(_ context: RunContext, _ report: RunReport, _ notifications: NotificationRules) -> Start {
        guard let database = spec.controlDatabase else { return .started(nil) }
        if settings.dryRun {
            // No lock, no setup SQL, no ledger row: a dry run changes nothing and needs no
            // database. Where one answers, the saved cursor is read so the preview is the next run's.
            loadStateForDryRun(database, context)
            return .started(nil)
        }
        var control: RunControl?
        do {
            let c = try RunControl(database: database, spec: spec, logger: logger)
            control = c
            if case .overlap(let reason) = try c.start(runID: runID, context: context) {
                c.close()
                let v = report.variables(.overlap, error: "overlap detected: \(reason)")
                logger.warning("\(spec.name): overlap detected — \(reason); this run is skipped")
                notifications.evaluate(v, context: context)
                return .stopped(RunOutcome(exitCode: .skipped, status: .overlap, variables: v))
            }
            return .started(c)
        } catch {
            let v = report.variables(.failed, error: "\(error)")
            logger.error("\(spec.name) failed before start: \(error)")
            control?.recordFailureBeforeStart(runID: runID, error: v["error"]?.stringValue ?? "", variables: v)
            control?.close()
            notifications.evaluate(v, context: context)
            return .stopped(RunOutcome(exitCode: .failed, status: .failed, variables: v))
        }
    }

    private func loadStateForDryRun(_ database: String, _ context: RunContext) {
        guard let connection = try? PostgresConnection(url: database, connectTimeout: 3) else {
            logger.info("dry run: the pipeline's database does not answer; reading as if no state were saved")
            return
        }
        defer { connection.close() }
        let store = StateStore(connection: connection, pipeline: spec.name)
        if (try? connection.execute("SELECT to_regclass('etl_state') IS NOT NULL").value(row: 0, column: 0)) == .bool(true),
           let state = try? store.load() {
            context.state = state
        }
    }

    /// `commit: run` — one execution over the whole source; `commit: batch` — one execution per
    /// source batch, each committing its sinks' writes with the cursor, the ledger row showing progress.
    private func execute(_ plan: PipelinePlan, _ context: RunContext, _ control: RunControl?, _ report: RunReport) -> RunOutcome {
        var outcome = RunOutcome(exitCode: .success, status: .completed, variables: Fields())
        let checkpoint = control?.stateDatabase.map { StateCheckpoint(database: $0, pipeline: spec.name) }
        let execution = Execution(plan: plan, context: context, previewLimit: settings.previewLimit, checkpoint: checkpoint)
        do {
            switch spec.commit {
            case .run:
                try execution.run(reading: plan.source)
            case .batch:
                try plan.source.read(context) { batch in
                    try execution.run { emit in try emit(batch) }
                    control?.progress(report.variables(.running))
                }
            }
        } catch let e as RejectStream.LimitExceeded {
            outcome.status = .failed; outcome.error = e.message; outcome.exitCode = .rejectsExceeded
        } catch {
            outcome.status = .failed
            // A cancellation surfaces as whatever error the interrupted call raised; name the cause.
            outcome.error = context.cancellation.map { "run cancelled: \($0)" } ?? "\(error)"
            outcome.exitCode = .failed
        }
        return outcome
    }

    /// The ledger row finished and the summary logged. Data in but the ledger or the cursor
    /// not: loud, and not exit 0.
    private func finish(_ outcome: inout RunOutcome, _ control: RunControl?, _ context: RunContext, _ report: RunReport) {
        outcome.variables = report.variables(outcome.status, error: outcome.error)
        do { try control?.finish(status: outcome.status, error: outcome.variables["error"]?.stringValue, variables: outcome.variables) }
        catch { outcome.bookkeepingErrors.append("\(error)") }
        if !outcome.bookkeepingErrors.isEmpty {
            for message in outcome.bookkeepingErrors { logger.error(message) }
            if outcome.exitCode == .success { outcome.exitCode = .bookkeepingFailed }
            if outcome.error == nil {
                outcome.variables = report.variables(outcome.status, error: outcome.bookkeepingErrors.joined(separator: "; "))
            }
        }
        report.log(outcome.variables, error: outcome.status == .failed ? outcome.variables["error"]?.stringValue : nil)
    }

    public static func makeRunID() -> String {
        let stamp = Timestamps.format(Date(), "%Y%m%dT%H%M%SZ")
        let random = String(format: "%08x", UInt32.random(in: 0...UInt32.max))   // fixed width: ids sort and parse alike
        return "\(stamp)-\(random)"
    }
}
