import Foundation
import Hummingbird
import ServiceLifecycle
import ETLCore
import ETLConfig
import ETLConnectors
import ETLPostgres
import ETLRunner
import Logging

/// `etl serve`: one HTTP server for every webhook pipeline given. Before it
/// listens, each pipeline's setup SQL and inbox table exist; while it runs,
/// workers drain the inboxes; on SIGTERM or SIGINT it stops accepting, lets the
/// requests in flight and the claimed batches finish, and returns.
public final class WebhookServer {
    public struct Settings {
        public var host = "127.0.0.1"
        public var port = 8080
        /// Worker threads per pipeline.
        public var workers = 2
        /// Threads (each with its own connections) that store requests.
        public var intakeThreads = 8
        /// Events a worker claims per transaction.
        public var batchSize = 500
        public var disabledNotifiers: Set<String> = []
        public init() {}
    }

    let specs: [PipelineSpec]
    let registry: ConnectorRegistry
    let logger: ETLCore.Logger
    let settings: Settings

    public init(specs: [PipelineSpec], registry: ConnectorRegistry, logger: ETLCore.Logger, settings: Settings) {
        self.specs = specs; self.registry = registry; self.logger = logger; self.settings = settings
    }

    /// Two pipelines on one path cannot both receive it: a configuration error naming both files.
    public static func routeConflicts(_ specs: [PipelineSpec]) -> [String] {
        var seen: [String: PipelineSpec] = [:]
        var problems: [String] = []
        for spec in specs {
            guard let t = spec.trigger else { continue }
            if let other = seen[t.path] {
                problems.append("\(spec.file):\(t.location.line):\(t.location.column): path \(t.path) is already served by \(other.name) (\(other.file))")
            } else { seen[t.path] = spec }
        }
        return problems
    }

    public func run() async throws {
        let metrics = ServeMetrics()
        let backoff = ProcessInfo.processInfo.environment["ETL_SERVE_BACKOFF"].flatMap(Double.init) ?? 1
        let serveID = "serve-" + PipelineRunner.makeRunID()
        var endpoints: [String: WebhookEndpoint] = [:]
        var pipelines: [InboxWorkers.Pipeline] = []
        for spec in specs {
            let totals = RunMetrics()
            let make = { [registry, logger, settings] () throws -> InboxProcessor in
                let p = try InboxProcessor(spec: spec, registry: registry, logger: logger, totals: totals,
                                           disabledNotifiers: settings.disabledNotifiers)
                p.backoffBase = backoff
                return p
            }
            let endpoint = try WebhookEndpoint(spec: spec, makeProcessor: make)
            do { try ServeSetup.prepare(spec, database: endpoint.database) } catch {
                throw ETLError("\(spec.file): could not prepare \(spec.name)'s database (setup SQL and etl_inbox): \(error)",
                               hint: "the database must be reachable before `etl serve` accepts requests")
            }
            endpoints[endpoint.trigger.path] = endpoint
            let processors = try (0..<max(1, settings.workers)).map { _ in try make() }
            pipelines.append(.init(endpoint: endpoint, processors: processors,
                                   ledger: ServeLedger(spec: spec, runID: serveID, logger: logger), totals: totals))
        }
        let pool = BlockingPool(threads: settings.intakeThreads)
        defer { pool.shutdown() }
        let workers = InboxWorkers(pipelines: pipelines, metrics: metrics, logger: logger, batchSize: settings.batchSize)
        let intake = Intake(endpoints: endpoints, pool: pool, metrics: metrics, logger: logger, wake: { workers.notify() })

        let routes = endpoints.values.map { "\($0.trigger.path) → \($0.spec.name)" }.sorted().joined(separator: ", ")
        let responder = CallbackResponder<BasicRequestContext> { request, _ in await intake.respond(request) }
        var app = Application(responder: responder,
                              configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "etl"),
                              onServerRunning: { [logger, settings, routes] channel in
                                  // The bound port: with --listen HOST:0 the system picked it.
                                  let port = channel.localAddress?.port ?? settings.port
                                  logger.summary("etl serve listening on \(settings.host):\(port): \(routes)")
                              },
                              logger: {
                                  var l = Logging.Logger(label: "etl.serve")
                                  l.logLevel = .error
                                  return l
                              }())
        app.addServices(workers)
        try await app.runService()
        logger.summary("etl serve stopped: requests in flight answered, claimed batches committed")
    }
}
