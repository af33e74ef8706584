import ArgumentParser
import Foundation
import ETLCore
import ETLConfig
import ETLRunner
import ETLServe

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive webhooks for every pipeline with a `trigger:`: store each request durably before answering, process it with workers.",
        discussion: """
        GET /healthz answers 200 when every pipeline database answers, GET /metrics in Prometheus format. \
        SIGTERM or SIGINT: stop accepting, finish the claimed batches, exit 0. See docs/webhooks.md.
        """)

    @Argument(help: "Pipeline files or directories (default: pipelines/); pipelines without `trigger:` are ignored.")
    var paths: [String] = []

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host:port"))
    var listen = "127.0.0.1:8080"

    @Option(help: "Worker threads per pipeline draining its inbox.")
    var workers = 2

    @Option(help: "Log format: text or json.")
    var logFormat: Logger.Format = .text

    @Flag(name: .shortAndLong, help: "Log every batch, not only warnings and errors.")
    var verbose = false

    func run() throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen must be host:port, e.g. 127.0.0.1:8080 (got '\(listen)')")
        }
        guard workers >= 1 else { throw ValidationError("--workers must be 1 or more") }
        let roots = paths.isEmpty ? ["pipelines"] : paths
        let environment = ProcessInfo.processInfo.environment
        let redactor = Redactor(secrets: Redactor.secrets(inEnvironment: environment))
        var logger = Logger(format: logFormat, minimumLevel: verbose ? .info : .warning, redactor: redactor)
        let loaded = WebhookPipelines.load(roots, logger: logger)
        logger = logger.scoped(redactor: redactor.including(loaded.secrets))
        guard loaded.errors == 0 else {
            logger.error("invalid webhook pipeline configuration: nothing is served; fix the errors above (`etl validate` lists them) or name only the pipelines to serve")
            throw ExitCode(RunExitCode.invalidConfig.rawValue)
        }
        guard !loaded.specs.isEmpty else {
            logger.error("no pipeline with a `trigger:` in \(roots.joined(separator: ", "))")
            throw ExitCode(RunExitCode.invalidConfig.rawValue)
        }
        let conflicts = WebhookServer.routeConflicts(loaded.specs)
        for c in conflicts { logger.error(c) }
        if !conflicts.isEmpty { throw ExitCode(RunExitCode.invalidConfig.rawValue) }

        var settings = WebhookServer.Settings()
        settings.host = String(listen[..<colon])
        settings.port = port
        settings.workers = workers
        settings.disabledNotifiers = loaded.disabledNotifiers
        if let n = environment["ETL_SERVE_BATCH"].flatMap(Int.init), n > 0 { settings.batchSize = n }
        if let n = environment["ETL_SERVE_INTAKE_THREADS"].flatMap(Int.init), n > 0 { settings.intakeThreads = n }
        let server = WebhookServer(specs: loaded.specs, registry: loaded.registry, logger: logger, settings: settings)
        // The server is async; this command's thread only waits for it.
        let done = DispatchSemaphore(value: 0)
        let outcome = ServeOutcome()
        Task.detached {
            do { try await server.run() } catch { outcome.error = error }
            done.signal()
        }
        done.wait()
        if let failure = outcome.error {
            logger.error("etl serve failed: \(failure)")
            throw ExitCode(RunExitCode.failed.rawValue)
        }
    }
}

/// What the server task ended with, read once the command's thread is woken.
private final class ServeOutcome: @unchecked Sendable { var error: Error? }

/// The webhook pipelines among some files: loaded and checked like `etl run` does
/// (an unset variable is an error, except in a notifier, which is then skipped).
enum WebhookPipelines {
    struct Loaded {
        var specs: [PipelineSpec] = []
        var errors = 0
        var secrets: [String] = []
        var disabledNotifiers = Set<String>()
        var registry: ConnectorRegistry
    }

    static func load(_ roots: [String], logger: Logger) -> Loaded {
        let (registry, pluginDiagnostics) = Registry.make(near: roots)
        let (files, found) = PipelineValidation.files(roots)
        var out = Loaded(registry: registry)
        for d in found + pluginDiagnostics where d.severity == .error { logger.error(d.description); out.errors += 1 }
        for file in files {
            let result = PipelineLoader(registry: registry).load(path: file)
            out.secrets += result.secrets
            // Only webhook pipelines matter here; a broken scheduled pipeline is `etl validate`'s business.
            guard result.spec?.trigger != nil || (result.spec == nil && (try? String(contentsOfFile: file, encoding: .utf8))?.contains("trigger:") == true)
            else { continue }
            let notifierVars = Set(result.unsetVariables.filter { $0.key.hasPrefix("notify") }.flatMap(\.value))
            for (label, vars) in result.unsetVariables where label.hasPrefix("notify") {
                out.disabledNotifiers.insert(label)
                logger.warning("\(file): \(label) skipped: \(vars.joined(separator: ", ")) not set")
            }
            var fileErrors = 0
            for d in result.diagnostics {
                let unset = Interpolator.unsetVariable(in: d)
                if d.severity == .warning, let v = unset, !notifierVars.contains(v) {
                    // As for `etl run`: an unset variable outside the notifiers stops the pipeline,
                    // so it is reported as the error it is, not as "error: … warning: …".
                    var e = d; e.severity = .error
                    logger.error(e.description); fileErrors += 1
                } else if d.severity == .error {
                    logger.error(d.description); fileErrors += 1
                } else if unset == nil {
                    logger.warning(d.description)
                }
            }
            if let spec = result.spec {
                for d in PipelineValidation.buildCheck(spec, registry: registry) { logger.error(d.description); fileErrors += 1 }
                if fileErrors == 0 { out.specs.append(spec) }
            }
            out.errors += fileErrors
        }
        return out
    }
}
