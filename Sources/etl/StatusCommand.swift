import ArgumentParser
import Foundation
import ETLCore
import ETLRunner

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Health of pipelines from their ledgers, webhook inbox and sync conflicts. Exit 0 healthy, 1 degraded, 2 unhealthy.",
        discussion: """
        For each pipeline: last run, last success, lag against its schedule, failed runs and rejects in the last \
        hour and 24 hours, runs stuck past their timeout, inbox depth / oldest pending / dead events, pending and \
        escalated conflicts — judged against the pipeline's `health:` thresholds (docs/health.md).
        """)

    @Argument(help: "Pipeline files or directories (default: pipelines/).")
    var paths: [String] = []

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, prometheus }

    @Option(help: "Output format: table, json or prometheus.")
    var format: Format = .table

    func run() throws {
        let roots = paths.isEmpty ? ["pipelines"] : paths
        let report = SyncHealthReport.check(paths: roots, registry: Registry.make(near: roots).registry)
        let redactor = Redactor(secrets: Redactor.secrets(inEnvironment: ProcessInfo.processInfo.environment))
        switch format {
        case .table: print(redactor.redact(report.table), terminator: "")
        case .json: print(redactor.redact(JSONWriter.string(report.value)))
        case .prometheus: print(redactor.redact(report.prometheus), terminator: "")
        }
        if report.status != .healthy { throw ExitCode(Int32(report.status.rawValue)) }
    }
}
