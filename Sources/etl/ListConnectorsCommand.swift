import ArgumentParser
import ETLCore
import ETLRunner

struct ListConnectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-connectors",
        abstract: "List the connectors a pipeline can use, with their options.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, markdown }

    @Option(help: "Only this kind: source, transform, sink or notifier.")
    var kind: ConnectorKind?

    @Option(help: "Output format: table, json or markdown.")
    var format: Format = .table

    func run() throws {
        var specs = Registry.make().specs
        if let kind { specs = specs.filter { $0.kind == kind } }
        switch format {
        case .table: print(ConnectorDocs.table(specs), terminator: "")
        case .json: print(ConnectorDocs.json(specs))
        case .markdown: print(ConnectorDocs.markdown(specs), terminator: "")
        }
    }
}

extension ConnectorKind: ExpressibleByArgument {}
