import ArgumentParser
import Foundation
import ETLCore
import ETLRunner

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show recent runs from the pipelines' ledgers, newest first.",
        discussion: "`etl history` shows every pipeline under pipelines/; `etl history inventory-sync` one pipeline (by name or file).")

    @Argument(help: ArgumentHelp("A pipeline name, or pipeline files or directories (default: pipelines/).", valueName: "pipeline|path"),
              completion: .custom(Completions.pipelines))
    var selection: [String] = []

    @Flag(help: "Only failed runs.")
    var failed = false

    @Option(help: "At most this many runs (per pipeline, and in all).")
    var limit = 20

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() throws {
        let select = PipelineSelection()
        let pipelines: [PipelineSelection.Loaded]
        if selection.count == 1, !FileManager.default.fileExists(atPath: selection[0]) {
            pipelines = [try select.one(selection[0])]
        } else {
            pipelines = try select.load(selection)
        }
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
        var entries: [RunHistoryEntry] = []
        var unreadable = 0
        var seenLedgers = Set<String>()
        for p in pipelines {
            guard p.spec.ledger != nil else { continue }
            guard seenLedgers.insert(p.spec.name).inserted else { continue }
            do { entries += try RunHistory.entries(p.spec, failedOnly: failed, limit: limit) }
            catch {
                unreadable += 1
                select.warn("\(p.file): cannot read the ledger of \(p.spec.name): \(error)")
            }
        }
        entries.sort { ($0.startedAt, $0.id) > ($1.startedAt, $1.id) }
        entries = Array(entries.prefix(limit))
        switch format {
        case .json:
            select.say(JSONWriter.string(.array(entries.map(\.json))))
        case .table:
            if entries.isEmpty {
                select.say(failed ? "no failed runs" : "no runs recorded yet")
            } else {
                select.say(Self.table(entries))
            }
        }
        if unreadable > 0 { throw ExitCode(RunExitCode.failed.rawValue) }
    }

    static func table(_ entries: [RunHistoryEntry]) -> String {
        var rows = [["STARTED (UTC)", "PIPELINE", "STATUS", "DURATION", "READ", "WRITTEN", "CHANGED", "REJECTED", "ERROR"]]
        for e in entries {
            func count(_ name: String) -> String { e.counts[name].flatMap { $0.isNull ? nil : $0.text } ?? "-" }
            let duration = e.durationMs.map { DurationParser.format(Double($0) / 1000) } ?? "-"
            var error = (e.error ?? "").replacingOccurrences(of: "\n", with: " ")
            if error.count > 80 { error = String(error.prefix(77)) + "..." }
            rows.append([e.startedAt, e.pipeline, e.status, duration, count("records_read"), count("records_written"),
                         count("items_changed"), count("records_rejected"), error])
        }
        return TextTable.render(rows)
    }
}
