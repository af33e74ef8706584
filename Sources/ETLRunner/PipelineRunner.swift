import Foundation
import ETLCore
import ETLConfig
import ETLConnectors

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
        let notifications = NotificationRules(plan.notifyRules, logger: logger, dryRun: settings.dryRun)

        // The control connection holds the lock and writes the ledger, outside the data transaction.
        var control: RunControl?
        defer { control?.close() }
        // Signals are caught before the lock and the ledger row exist: one arriving in between
        // cancels the run (ledger `failed`) instead of killing it with the row left `running`.
        let signals = SignalCancellation(context: context)
        defer { signals.cancel() }
        let database = spec.ledger?.database ?? spec.lock?.database ?? spec.setup?.database
        if let database, !settings.dryRun {
            do {
                let c = try RunControl(database: database, spec: spec, logger: logger)
                control = c
                if case .overlap(let reason) = try c.start(runID: runID, context: context) {
                    let v = report.variables(.overlap, error: "overlap detected: \(reason)")
                    logger.warning("\(spec.name): overlap detected — \(reason); this run is skipped")
                    notifications.evaluate(v, context: context)
                    return RunOutcome(exitCode: .skipped, status: .overlap, variables: v)
                }
            } catch {
                let message = "\(error)"
                let v = report.variables(.failed, error: message)
                logger.error("\(spec.name) failed before start: \(message)")
                control?.recordFailureBeforeStart(runID: runID, error: v["error"]?.stringValue ?? "", variables: v)
                notifications.evaluate(v, context: context)
                return RunOutcome(exitCode: .failed, status: .failed, variables: v)
            }
        }

        context.deadline = context.startedAt.addingTimeInterval(spec.timeout)
        // Short timeouts (tests, --set timeout=5s) are still enforced promptly.
        let interval = max(0.1, min(settings.watchdogInterval, spec.timeout / 10))
        let watchdog = Watchdog(context: context, timeout: spec.timeout, interval: interval) {
            notifications.evaluate(report.variables(.running), context: context)
        }
        watchdog.start()
        defer { watchdog.stop() }

        var status = RunStatus.completed
        var errorMessage: String?
        var exitCode = RunExitCode.success
        var bookkeepingErrors: [String] = []
        do {
            try Execution(plan: plan, context: context, previewLimit: settings.previewLimit).run(reading: plan.source)
            do { try control?.saveState(context) } catch { bookkeepingErrors.append("\(error)") }
        } catch let e as RejectStream.LimitExceeded {
            status = .failed; errorMessage = e.message; exitCode = .rejectsExceeded
        } catch {
            status = .failed
            // A cancellation surfaces as whatever error the interrupted call raised; name the cause.
            errorMessage = context.cancellation.map { "run cancelled: \($0)" } ?? "\(error)"
            exitCode = .failed
        }

        var finalVariables = report.variables(status, error: errorMessage)
        do { try control?.finish(status: status, error: finalVariables["error"]?.stringValue, variables: finalVariables) }
        catch { bookkeepingErrors.append("\(error)") }
        // The data is in, but the ledger or the cursor is not: loud, and not exit 0.
        if !bookkeepingErrors.isEmpty {
            for message in bookkeepingErrors { logger.error(context.redactor.redact(message)) }
            if exitCode == .success { exitCode = .bookkeepingFailed }
            if errorMessage == nil { finalVariables = report.variables(status, error: bookkeepingErrors.joined(separator: "; ")) }
        }
        report.log(finalVariables, error: status == .failed ? finalVariables["error"]?.stringValue : nil)
        notifications.evaluate(finalVariables, context: context)
        return RunOutcome(exitCode: exitCode, status: status, variables: finalVariables)
    }

    public static func makeRunID() -> String {
        let stamp = Timestamps.format(Date(), "%Y%m%dT%H%M%SZ")
        let random = String(format: "%08x", UInt32.random(in: 0...UInt32.max))   // fixed width: ids sort and parse alike
        return "\(stamp)-\(random)"
    }
}
