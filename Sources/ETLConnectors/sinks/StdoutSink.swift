import Foundation
import ETLCore

/// Prints records as JSON lines: for trying pipelines out and for piping.
public final class StdoutSink: SinkConnector {
    static let limit = OptionKey<Int?>("limit", doc: "Print at most this many records.")

    public static let spec = ConnectorSpec(
        kind: .sink, name: "stdout",
        summary: "Print records as JSON lines on standard output.",
        options: [limit],
        example: """
        sink:
          type: stdout
        """)

    let limit: Int?
    var printed = 0
    var buffer = ""

    public init(options: Options, context: BuildContext) throws { limit = options[Self.limit] }

    public func open(_ context: RunContext) throws { printed = 0; buffer = "" }

    public func write(_ batch: Batch, _ context: RunContext) throws {
        for record in batch.records {
            if let limit, printed >= limit { break }
            JSONWriter.write(record.value, into: &buffer)
            buffer += "\n"
            printed += 1
        }
        if buffer.utf8.count > 1 << 20 { flush(context) }
    }

    func flush(_ context: RunContext) {
        FileHandle.standardOutput.write(Data(context.redactor.redact(buffer).utf8))
        buffer = ""
    }

    public func prepare(_ context: RunContext) throws -> SinkReport {
        flush(context)
        var r = SinkReport(); r.written = printed; r.inserted = printed; r.changed = printed
        return r
    }
    public func commit(_ context: RunContext) throws {}
    public func rollback(_ context: RunContext) { buffer = "" }
}
