import Foundation
import ETLCore

/// Runs an external program and reads records from its standard output:
/// JSON lines, or the Singer protocol (RECORD / STATE / SCHEMA messages), so
/// existing Singer taps work as plugins. Its STATE is kept between runs.
public final class ExecSource: SourceConnector {
    static let command = OptionKey<[String]>("command", required: true, doc: "Program and arguments; relative paths resolve against the pipeline file.", example: "[python3, taps/crm.py]")
    static let `protocol` = OptionKey<String>("protocol", .oneOf(["jsonl", "singer"]), default: "jsonl", doc: "Output format of the program.")
    static let stream = OptionKey<String?>("stream", doc: "Singer: only take RECORDs of this stream.")
    static let config = OptionKey<Fields>("config", .map(.any), doc: "Singer: written to a temp JSON file passed as `--config FILE`.")
    static let env = OptionKey<Fields>("env", .map(.secret), doc: "Extra environment variables for the program (treated as secrets).")
    static let timeout = OptionKey<Double?>("timeout", .duration, doc: "Kill the program after this long.")

    public static let spec = ConnectorSpec(
        kind: .source, name: "exec",
        summary: "Run a program and read records from its output (JSON lines or Singer tap protocol).",
        description: """
        With `protocol: singer`, RECORD messages become records, the last STATE message is saved after the sinks \
        commit and handed back next run as `--state FILE`, SCHEMA messages are ignored. A non-zero exit fails the run \
        with the end of the program's stderr.
        """,
        options: [command, `protocol`, stream, config, env, timeout],
        example: """
        source:
          type: exec
          command: [tap-csv, --delimiter, ";"]
          protocol: singer
        """)

    let command: [String]
    let singer: Bool
    let stream: String?
    let config: Fields?
    let env: [(String, String)]
    let timeout: Double?

    public init(options: Options, context: BuildContext) throws {
        command = ExecProcess.resolve(options[Self.command], base: context.baseDirectory)
        guard !command.isEmpty else { throw options.error(Self.command, "`command` must name a program") }
        singer = options[Self.protocol] == "singer"
        stream = options[Self.stream]
        config = options.has(Self.config) ? options[Self.config] : nil
        env = options[Self.env].map { ($0.0, $0.1.text) }
        timeout = options[Self.timeout]
    }

    public func checkConnection() throws {
        guard ExecProcess.findExecutable(command[0]) != nil else { throw ETLError("program '\(command[0])' not found") }
    }

    public func read(_ context: RunContext, emit: (Batch) throws -> Void) throws {
        var arguments = command
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("etl-exec-\(context.runID)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        if singer {
            if let config {
                let path = scratch + "/config.json"
                try Data(JSONWriter.string(.object(config)).utf8).write(to: URL(fileURLWithPath: path))
                arguments += ["--config", path]
            }
            if let state = context.state["singer"] {
                let path = scratch + "/state.json"
                try Data(JSONWriter.string(state).utf8).write(to: URL(fileURLWithPath: path))
                arguments += ["--state", path]
            }
        }
        let process = try ExecProcess(arguments, environment: env, context: context, timeout: timeout)
        var batch: [Record] = []
        var position = 0
        try process.readLines { line in
            guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) else { return }
            let value: Value
            do { value = try JSONStreamReader.parse(line, source: "\(command[0]) output") }
            catch { throw ETLError("\(command[0]) printed a line that is not JSON (line \(position + 1)): \(error)") }
            if singer {
                guard case .object(let message) = value else { return }
                switch message["type"]?.stringValue {
                case "RECORD":
                    if let stream, message["stream"]?.stringValue != stream { return }
                    guard case .object(let fields)? = message["record"] else { return }
                    batch.append(Record(fields, position: position))
                case "STATE":
                    if let v = message["value"] { context.saveState("singer", v) }
                    return
                default:
                    return
                }
            } else if case .object(let fields) = value {
                batch.append(Record(fields, position: position))
            } else {
                context.reject(Rejection(record: Record(Fields([("value", value)]), position: position),
                                         stage: "exec source", reasons: ["expected a JSON object, found \(value.typeName)"]))
            }
            position += 1
            context.metrics.add("records_read", 1)
            if batch.count >= context.batchSize { try emit(Batch(batch)); batch.removeAll(keepingCapacity: true) }
        }
        if !batch.isEmpty { try emit(Batch(batch)) }
        try process.finish()
    }
}
