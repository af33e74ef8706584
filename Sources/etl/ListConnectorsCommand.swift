import ArgumentParser
import ETLCore
import ETLRunner

struct ListConnectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-connectors",
        abstract: "List the connectors a pipeline can use, with their options.")

    @Option(help: "Only this kind: source, transform, sink or notifier.")
    var kind: String?

    @Option(help: "Output format: table, json or markdown.")
    var format: String = "table"

    func run() throws {
        var specs = Registry.make().specs
        if let kind {
            guard let k = ConnectorKind(rawValue: kind) else {
                throw ValidationError("--kind must be one of source, transform, sink, notifier")
            }
            specs = specs.filter { $0.kind == k }
        }
        switch format {
        case "table": print(ConnectorDocs.table(specs), terminator: "")
        case "json": print(ConnectorDocs.json(specs))
        case "markdown": print(ConnectorDocs.markdown(specs), terminator: "")
        default: throw ValidationError("--format must be table, json or markdown")
        }
    }
}

struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show one connector's options with types, defaults, docs and an example.")

    @Argument(help: "Connector name, e.g. postgres or http.")
    var name: String

    func run() throws {
        let registry = Registry.make()
        let matches = registry.specs.filter { $0.name == name }
        guard !matches.isEmpty else {
            let hint = Suggest.didYouMean(name, registry.specs.map(\.name)) ?? "see `etl list-connectors`"
            print("error: no connector named '\(name)' (\(hint))")
            throw ExitCode(RunExitCode.invalidConfig.rawValue)
        }
        print(matches.map(ConnectorDocs.describe).joined(separator: "\n"), terminator: "")
    }
}

struct DocsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docs",
        abstract: "Print the generated connector reference (docs/connectors.md).")

    func run() throws { print(ConnectorDocs.markdown(Registry.make().specs), terminator: "") }
}
