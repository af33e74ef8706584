import ArgumentParser
import ETLCore
import ETLRunner

struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show one connector's options with types, defaults, docs and an example.")

    @Argument(help: "Connector name, e.g. postgres or http.", completion: .custom(Completions.connectors))
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
