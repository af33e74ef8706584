import ArgumentParser
import ETLRunner

struct DocsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docs",
        abstract: "Print the generated connector reference (docs/connectors.md).")

    func run() throws { print(ConnectorDocs.markdown(Registry.make().specs), terminator: "") }
}
