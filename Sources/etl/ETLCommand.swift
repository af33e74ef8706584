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
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
