import Foundation
import ETLCore

/// Writes records to a file (NDJSON, JSON array or CSV). Written to a temporary
/// file and renamed on commit, so a failed run never leaves half a file.
public final class FileSink: SinkConnector {
    static let path = OptionKey<String>("path", required: true, doc: "Output file, relative to the pipeline file; %Y %m %d %H %M %S expand (UTC).", example: "out/rejects.ndjson")
    static let format = OptionKey<String>("format", .oneOf(["ndjson", "json", "csv"]), default: "ndjson", doc: "Output format.")
    static let append = OptionKey<Bool>("append", default: false, doc: "Append to an existing file instead of replacing it (ndjson/csv).")

    public static let spec = ConnectorSpec(
        kind: .sink, name: "file",
        summary: "Write records to a NDJSON, JSON or CSV file, atomically on commit.",
        options: [path, format, append],
        example: """
        sink:
          type: file
          path: out/inventory-%Y%m%d.ndjson
        """)

    let path: String
    let format: String
    let append: Bool
    var temp: String = ""
    var handle: FileHandle?
    var written = 0
    var csvHeader: [String]?
    /// Kept across batches (cleared, not freed): one allocation for the run, not one per batch.
    var buffer: [UInt8] = []
    var objects = JSONObjectWriter()

    public init(options: Options, context: BuildContext) throws {
        path = context.resolvePath(ArchiveKey.render(options[Self.path], Date()))
        format = options[Self.format]
        append = options[Self.append]
    }

    public func open(_ context: RunContext) throws {
        written = 0; csvHeader = nil   // each execution writes its own file
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir.isEmpty ? "." : dir, withIntermediateDirectories: true)
        temp = path + ".tmp-\(context.runID)"
        if append, FileManager.default.fileExists(atPath: path) {
            try FileManager.default.copyItem(atPath: path, toPath: temp)
        } else {
            FileManager.default.createFile(atPath: temp, contents: nil)
        }
        handle = FileHandle(forWritingAtPath: temp)
        handle?.seekToEndOfFile()
        if format == "json" { handle?.write(Data("[".utf8)) }
    }

    public func write(_ batch: Batch, _ context: RunContext) throws {
        var out = buffer
        buffer = []
        out.removeAll(keepingCapacity: true)
        defer { buffer = out }
        for record in batch.records {
            switch format {
            case "csv":
                if csvHeader == nil {
                    csvHeader = record.fields.keys
                    out += (csvHeader!.map(csvCell).joined(separator: ",") + "\n").utf8
                }
                out += (csvHeader!.map { csvCell(record[$0]?.text ?? "") }.joined(separator: ",") + "\n").utf8
            case "json":
                if written > 0 { out += ",\n".utf8 }
                objects.write(record.fields, into: &out)
            default:
                objects.write(record.fields, into: &out); out.append(UInt8(ascii: "\n"))
            }
            written += 1
        }
        guard let handle, !out.isEmpty else { return }
        // Lent to Data without a copy.
        out.withUnsafeMutableBytes { bytes in
            handle.write(Data(bytesNoCopy: bytes.baseAddress!, count: bytes.count, deallocator: .none))
        }
    }

    private func csvCell(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    public func prepare(_ context: RunContext) throws -> SinkReport {
        if format == "json" { handle?.write(Data("]\n".utf8)) }
        var r = SinkReport(); r.written = written; r.inserted = written; r.changed = written
        return r
    }

    public func commit(_ context: RunContext) throws {
        handle?.closeFile(); handle = nil
        if context.dryRun { try? FileManager.default.removeItem(atPath: temp); return }
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: temp, toPath: path)
    }

    public func rollback(_ context: RunContext) {
        handle?.closeFile(); handle = nil
        try? FileManager.default.removeItem(atPath: temp)
    }
}

/// strftime-style expansion for paths, in UTC.
enum ArchiveKey {
    static func render(_ template: String, _ date: Date) -> String { Timestamps.format(date, template) }
}
