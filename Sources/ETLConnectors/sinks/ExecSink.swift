import Foundation
import ETLCore

/// Hands records to an external program as JSON lines on its standard input.
/// The run fails if the program exits non-zero.
public final class ExecSink: SinkConnector {
    static let command = OptionKey<[String]>("command", required: true, doc: "Program and arguments; relative paths resolve against the pipeline file.", example: "[python3, load.py]")
    static let env = OptionKey<Fields>("env", .map(.secret), doc: "Extra environment variables for the program (treated as secrets).")
    static let timeout = OptionKey<Double?>("timeout", .duration, doc: "Kill the program after this long.")

    public static let spec = ConnectorSpec(
        kind: .sink, name: "exec",
        summary: "Pipe records as JSON lines into a program's standard input.",
        description: "The program is started when the run opens and must exit 0 after reading everything; anything else fails the run. It cannot be rolled back: prefer it last, or for idempotent targets.",
        options: [command, env, timeout],
        example: """
        sink:
          type: exec
          command: [python3, scripts/push_to_crm.py]
        """)

    let command: [String]
    let env: [(String, String)]
    let timeout: Double?
    var process: ExecProcess?
    var written = 0

    public init(options: Options, context: BuildContext) throws {
        command = ExecProcess.resolve(options[Self.command], base: context.baseDirectory)
        guard !command.isEmpty else { throw options.error(Self.command, "`command` must name a program") }
        env = options[Self.env].map { ($0.0, $0.1.text) }
        timeout = options[Self.timeout]
    }

    public func checkConnection() throws {
        guard ExecProcess.findExecutable(command[0]) != nil else { throw ETLError("program '\(command[0])' not found") }
    }

    public func open(_ context: RunContext) throws {
        written = 0
        if context.dryRun { return }
        process = try ExecProcess(command, environment: env, context: context, timeout: timeout, stdin: true)
    }

    public func write(_ batch: Batch, _ context: RunContext) throws {
        written += batch.count
        guard let process else { return }
        var out = ""
        for record in batch.records { JSONWriter.write(record.value, into: &out); out += "\n" }
        try process.write(Data(out.utf8))
    }

    public func prepare(_ context: RunContext) throws -> SinkReport {
        try process?.closeInput()
        try process?.finish()
        var r = SinkReport(); r.written = written; r.inserted = written; r.changed = written
        return r
    }

    public func commit(_ context: RunContext) throws { process = nil }
    public func rollback(_ context: RunContext) { process?.kill(); process = nil }
}
