import ArgumentParser
import Foundation
import ETLCore
import ETLConfig
import ETLRunner

extension Logger.Format: ExpressibleByArgument {}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline: quiet on success (one summary line), loud on failure.")

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a pipeline value, YAML-typed: --set source.retry.backoff=[1s,2s]", valueName: "path=value"))
    var overrides: [String] = []

    @Flag(help: "Read and transform, apply in a transaction that is rolled back, print what would be written.")
    var dryRun = false

    @Option(help: "Log format: text or json (json lines carry the run id).")
    var logFormat: Logger.Format = .text

    @Flag(name: .shortAndLong, help: "Log stage progress and timings, not only warnings and errors.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "No progress line, even on a terminal (without a terminal there is none anyway).")
    var quiet = false

    @Option(help: ArgumentHelp("Write the run's figures here in Prometheus text format (node_exporter textfile collector); not by --dry-run.",
                               valueName: "path"), completion: .file(extensions: ["prom"]))
    var metricsFile: String?

    func run() throws {
        // Text leaving the process passes a redactor that knows the environment's secrets;
        // the pipeline's own (secret options, secret files) join it once the file is loaded.
        let environment = ProcessInfo.processInfo.environment
        let redactor = Redactor(secrets: Redactor.secrets(inEnvironment: environment))
        let runID = PipelineRunner.makeRunID()
        var logger = Logger(format: logFormat, minimumLevel: verbose ? .info : .warning, redactor: redactor).scoped(runID: runID)
        let (registry, pluginDiagnostics) = Registry.make(near: [pipeline])
        for d in pluginDiagnostics { logger.log(d.severity == .error ? .error : .warning, d.description) }
        let loader = PipelineLoader(registry: registry, overrides: overrides)
        let result = loader.load(path: pipeline)
        logger = logger.scoped(redactor: redactor.including(result.secrets))

        // Unset variables stop the run, except in notifiers: those are skipped with one warning.
        var diagnostics = result.diagnostics
        var disabled = Set<String>()
        let notifierVars = Set(result.unsetVariables.filter { $0.key.hasPrefix("notify") }.flatMap(\.value))
        for (label, vars) in result.unsetVariables where label.hasPrefix("notify") {
            disabled.insert(label)
            logger.warning("\(label) skipped: \(vars.joined(separator: ", ")) not set")
        }
        diagnostics = diagnostics.map { d in
            guard d.severity == .warning, let v = Interpolator.unsetVariable(in: d), !notifierVars.contains(v) else { return d }
            var e = d; e.severity = .error; return e
        }.filter { d in
            !(d.severity == .warning && Interpolator.unsetVariable(in: d).map(notifierVars.contains) == true)
        }
        for d in diagnostics { logger.log(d.severity == .error ? .error : .warning, d.description) }
        guard let spec = result.spec, !diagnostics.contains(where: { $0.severity == .error }) else {
            logger.error("\(pipeline): invalid pipeline, nothing was run")
            throw ExitCode(RunExitCode.invalidConfig.rawValue)
        }
        if spec.trigger != nil {
            logger.error("\(pipeline): \(spec.name) is a webhook pipeline: its input arrives over HTTP, so `etl run` has nothing to read. "
                         + "Serve it with `etl serve \(pipeline)`; stored events are handled with `etl inbox`.")
            throw ExitCode(RunExitCode.invalidConfig.rawValue)
        }
        let buildErrors = PipelineValidation.buildCheck(spec, registry: registry)
        if !buildErrors.isEmpty {
            for d in buildErrors { logger.error(d.description) }
            throw ExitCode(RunExitCode.invalidConfig.rawValue)
        }
        var settings = PipelineRunner.Settings()
        settings.dryRun = dryRun
        settings.runID = runID
        settings.disabledNotifiers = disabled
        settings.showProgress = !quiet && isatty(STDERR_FILENO) == 1
        if let interval = ProcessInfo.processInfo.environment["ETL_WATCHDOG_INTERVAL"].flatMap(Double.init) {
            settings.watchdogInterval = interval
        }
        let outcome = PipelineRunner(spec: spec, registry: registry, logger: logger, settings: settings).run()
        if let metricsFile, !dryRun {
            do {
                try MetricsFile.write(path: metricsFile, pipeline: spec.name, status: outcome.status,
                                      exitCode: outcome.exitCode.rawValue, variables: outcome.variables)
            } catch {
                logger.error("\(error)")
                if outcome.exitCode == .success { throw ExitCode(RunExitCode.bookkeepingFailed.rawValue) }
            }
        }
        if outcome.exitCode != .success { throw ExitCode(outcome.exitCode.rawValue) }
    }
}
