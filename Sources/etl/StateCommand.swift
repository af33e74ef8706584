import ArgumentParser
import Foundation
import ETLCore
import ETLRunner

struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Show, set or reset a pipeline's saved state (its incremental cursors).",
        subcommands: [Show.self, SetValue.self, Reset.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the saved cursor(s) of a pipeline.")

        @Argument(help: "A pipeline name or file.", completion: .custom(Completions.pipelines))
        var pipeline: String

        @Option(help: "Output format: table or json.")
        var format: OutputFormat = .table

        func run() throws {
            let select = PipelineSelection()
            let p = try select.one(pipeline)
            let entries = try StateCommand.attempt(select, p) { try PipelineState(spec: p.spec).entries() }
            switch format {
            case .json:
                var f = Fields()
                for e in entries { f[e.key] = .object(Fields([("value", e.value), ("updated_at", .string(e.updatedAt))])) }
                select.say(JSONWriter.string(["pipeline": .string(p.spec.name), "state": .object(f)]))
            case .table:
                guard !entries.isEmpty else {
                    select.say("\(p.spec.name): no saved state (the next run starts from the source's `initial`, or reads everything)")
                    return
                }
                select.say(TextTable.render([["KEY", "VALUE", "UPDATED (UTC)"]] + entries.map { [$0.key, $0.value.text, $0.updatedAt] }))
            }
        }
    }

    struct SetValue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set one saved key (checked: a key the source reads, a value shaped like the saved one).",
            discussion: "e.g. `etl state set crm-contacts cursor 2024-06-01T00:00:00Z` to re-read everything changed since June.")

        @Argument(help: "A pipeline name or file.", completion: .custom(Completions.pipelines))
        var pipeline: String
        @Argument(help: "The state key, e.g. cursor.")
        var key: String
        @Argument(help: "The new value.")
        var value: String

        func run() throws {
            let select = PipelineSelection()
            let p = try select.one(pipeline)
            let stored = try StateCommand.attempt(select, p) { try PipelineState(spec: p.spec).set(key, to: value) }
            select.say("\(p.spec.name): \(key) = \(stored.text)")
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget a pipeline's saved state: its next run reads from the start (`initial`, or everything).")

        @Argument(help: "A pipeline name or file.", completion: .custom(Completions.pipelines))
        var pipeline: String

        @Flag(name: .shortAndLong, help: "Do not ask (required when stdin is not a terminal).")
        var yes = false

        func run() throws {
            let select = PipelineSelection()
            let p = try select.one(pipeline)
            let state = try StateCommand.attempt(select, p) { try PipelineState(spec: p.spec) }
            let entries = try StateCommand.attempt(select, p) { try state.entries() }
            guard !entries.isEmpty else { select.say("\(p.spec.name): no saved state, nothing to reset"); return }
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else {
                    select.warn("error: resetting \(p.spec.name)'s state makes its next run read everything again; add --yes to confirm")
                    throw ExitCode(RunExitCode.invalidConfig.rawValue)
                }
                FileHandle.standardError.write(Data("reset \(entries.map { "\($0.key)=\($0.value.text)" }.joined(separator: ", ")) of \(p.spec.name)? [y/N] ".utf8))
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    select.say("not reset"); throw ExitCode(RunExitCode.failed.rawValue)
                }
            }
            let removed = try StateCommand.attempt(select, p) { try state.reset() }
            select.say("\(p.spec.name): state reset (\(removed) key\(removed == 1 ? "" : "s") removed: was \(entries.map { "\($0.key)=\($0.value.text)" }.joined(separator: ", ")))")
        }
    }

    /// Errors (a refused value, an unreachable database) as one redacted line and exit 1 (2 for a bad value).
    static func attempt<T>(_ select: PipelineSelection, _ p: PipelineSelection.Loaded, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let refusal as PipelineState.Refusal {
            select.warn("error: \(refusal)")
            throw ExitCode(RunExitCode.invalidConfig.rawValue)
        } catch {
            select.warn("error: \(p.spec.name): \(error)")
            throw ExitCode(RunExitCode.failed.rawValue)
        }
    }
}
