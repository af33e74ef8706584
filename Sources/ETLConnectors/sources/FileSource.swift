import Foundation
import ETLCore

/// Reads a local file: a JSON array, NDJSON or CSV. The file is mapped, not
/// read into memory, and its pages released as batches complete: memory stays
/// flat however large it is. (A mapped file must not be truncated while it is
/// read: replace it by renaming a new one over it, as writers usually do.)
public final class FileSource: SourceConnector {
    static let path = OptionKey<String>("path", required: true, doc: "File to read, relative to the pipeline file.", example: "data/inventory.json")

    public static let spec = ConnectorSpec(
        kind: .source, name: "file",
        summary: "Read records from a local JSON, NDJSON or CSV file.",
        options: [path] + PayloadFormat.options,
        example: """
        source:
          type: file
          path: ../samples/inventory.json
        """)

    let path: String
    let format: PayloadFormat

    public init(options: Options, context: BuildContext) throws {
        path = context.resolvePath(options[Self.path])
        format = PayloadFormat(options: options)
    }

    public func checkConnection() throws {
        guard FileManager.default.isReadableFile(atPath: path) else { throw ETLError("cannot read \(path)") }
    }

    public func read(_ context: RunContext, emit: (Batch) throws -> Void) throws {
        let payload: PayloadBytes
        do { payload = try PayloadBytes(mapping: path) } catch let e as PayloadBytesError {
            throw ETLError("cannot read \(path): \(String(cString: strerror(e.errno)))",
                           hint: "check the path (relative to the pipeline file) and permissions")
        }
        try format.decode(payload, source: path, batchSize: context.batchSize, context: context, emit: emit)
    }
}
