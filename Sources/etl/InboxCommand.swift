import ArgumentParser
import Foundation
import ETLCore
import ETLConfig
import ETLPostgres
import ETLRunner

/// `etl inbox`: what an operator does with a webhook pipeline's stored events.
struct InboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "List, show, retry or drop a webhook pipeline's stored events (etl_inbox).",
        discussion: """
        PIPELINE is the pipeline file; its `database:` holds the inbox. \
        list [--status S] · show ID · retry ID | retry --status dead · drop ID | drop --status dead
        """)

    enum Action: String, ExpressibleByArgument, CaseIterable { case list, show, retry, drop }

    @Argument(help: "list, show, retry or drop.")
    var action: Action

    @Argument(help: "The webhook pipeline's file.")
    var pipeline: String

    @Argument(help: "Event id (show; retry and drop without --status).")
    var id: Int64?

    @Option(help: "Events with this status: pending, done, dead or rejected (list; retry and drop of every such event).")
    var status: String?

    @Option(help: "Events listed at most.")
    var limit = 100

    func validate() throws {
        if let status, !["pending", "done", "dead", "rejected"].contains(status) {
            throw ValidationError("--status must be pending, done, dead or rejected (got '\(status)')")
        }
        switch action {
        case .show where id == nil: throw ValidationError("`etl inbox show` needs an event id")
        case .retry, .drop:
            if (id == nil) == (status == nil) { throw ValidationError("`etl inbox \(action.rawValue)` needs an event id or --status (e.g. --status dead), not both") }
        default: break
        }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let result = PipelineLoader(registry: Registry.make(near: [pipeline]).registry).load(path: pipeline)
        let redactor = Redactor(secrets: Redactor.secrets(inEnvironment: environment) + result.secrets)
        func fail(_ message: String) -> ExitCode {
            FileHandle.standardError.write(Data((redactor.redact(message) + "\n").utf8))
            return ExitCode(RunExitCode.invalidConfig.rawValue)
        }
        guard let spec = result.spec else {
            for d in result.diagnostics where d.severity == .error { FileHandle.standardError.write(Data((redactor.redact(d.description) + "\n").utf8)) }
            throw fail("\(pipeline): invalid pipeline")
        }
        guard spec.trigger != nil, let database = spec.ledger?.database ?? spec.setup?.database else {
            throw fail("\(pipeline): \(spec.name) is not a webhook pipeline with a `database:`: it has no inbox")
        }
        let store = InboxStore(pipeline: spec.name)
        let c: PostgresConnection
        do { c = try PostgresConnection(url: database) } catch { throw fail("cannot reach the inbox's database: \(error)") }
        defer { c.close() }
        do {
            switch action {
            case .list:
                let rows = try store.list(c, status: status, limit: limit)
                print("id\tstatus\tattempts\treceived_at\tlast_error")
                for r in rows {
                    print([r["id"], r["status"], r["attempts"], r["received_at"], r["last_error"]]
                        .map { redactor.redact(($0 ?? .null).isNull ? "" : $0!.text) }.joined(separator: "\t"))
                }
            case .show:
                guard let shown = try store.show(c, id: id!) else { throw fail("no event \(id!) in \(spec.name)'s inbox") }
                var f = shown.fields
                f["headers"] = (try? InboxStore.parseObject(f["headers"]?.text ?? "{}")).map { .object($0) } ?? f["headers"]
                f["body"] = .string(String(decoding: shown.body, as: UTF8.self))
                print(redactor.redact(JSONWriter.string(.object(f))))
            case .retry:
                let n = try store.retry(c, id: id, status: status)
                print("\(n) event\(n == 1 ? "" : "s") of \(spec.name) back to pending (attempts 0)")
                if n == 0, id != nil { throw ExitCode(1) }
            case .drop:
                let n = try store.drop(c, id: id, status: status)
                print("\(n) event\(n == 1 ? "" : "s") of \(spec.name) dropped")
                if n == 0, id != nil { throw ExitCode(1) }
            }
        } catch let e as ExitCode { throw e } catch {
            throw fail("etl inbox \(action.rawValue): \(error)")
        }
    }
}
