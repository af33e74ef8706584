import ArgumentParser
import Foundation
import ETLRunner

@main
struct ETLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etl",
        abstract: "Run, validate and inspect data pipelines written in YAML.",
        discussion: """
        Exit codes: 0 success · 1 run failed (target unchanged) · 2 configuration invalid · \
        3 skipped (another run holds the lock) · 4 too many rejected records (rolled back) · \
        5 data committed but the ledger row or the saved cursor could not be written.
        """,
        version: BuildInfo.versionText,
        subcommands: [RunCommand.self, ValidateCommand.self, StatusCommand.self, ServeCommand.self, InboxCommand.self, ListConnectorsCommand.self, DescribeCommand.self, DocsCommand.self,
                      HistoryCommand.self, StateCommand.self, CrontabCommand.self, GraphCommand.self, TestCommand.self])

    /// Usage mistakes (a missing argument, an unknown flag) exit 2 like any other
    /// invalid configuration, not argument-parser's 64: cron and CI see one code for "fix the call".
    static func main() {
        do {
            var command = try runCommandAlone() ?? parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    /// `etl run …`, the command cron starts every night, parsed as its own root: reflecting
    /// the whole command tree cost ~16M of a 5-record run's 72M instructions (~4 ms).
    /// Anything it does not take as a run (a mistake, --help, --version) goes to the whole
    /// tree, which reports it in its usual words.
    private static func runCommandAlone() -> ParsableCommand? {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.first == RunCommand.configuration.commandName else { return nil }
        // A help request parses into argument-parser's own help command, not a RunCommand.
        return (try? RunCommand.parseAsRoot(Array(arguments.dropFirst()))) as? RunCommand
    }
}
