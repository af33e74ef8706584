import ArgumentParser
import ETLRunner

@main
struct ETLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etl",
        abstract: "Run, validate and inspect data pipelines written in YAML.",
        discussion: """
        Exit codes: 0 success · 1 run failed (target unchanged) · 2 configuration invalid · \
        3 skipped (another run holds the lock) · 4 too many rejected records (rolled back).
        """,
        subcommands: [RunCommand.self, ValidateCommand.self, ListConnectorsCommand.self, DescribeCommand.self, DocsCommand.self])
}
