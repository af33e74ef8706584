import CLibPQ
import ETLCore

/// Streams rows into a running `COPY … FROM STDIN` in text format. Rows are
/// escaped straight into one byte buffer and sent in ~1 MB chunks.
public final class CopyWriter {
    /// Rows written so far.
    public private(set) var rowCount = 0
    /// A chunk is sent once the buffer passes this size.
    static let chunkSize = 1 << 20

    private let connection: PostgresConnection
    private var buffer: [UInt8] = []
    private var scratch: [UInt8] = []
    private var fieldsInRow = 0

    init(connection: PostgresConnection) {
        self.connection = connection
        buffer.reserveCapacity(CopyWriter.chunkSize + 64 * 1024)
    }

    /// Writes one row: the values in the COPY's column order.
    public func writeRow(_ values: [Value]) throws {
        for value in values { writeField(value) }
        try endRow()
    }

    /// Writes one field of the current row; `endRow()` closes the row. Lets a
    /// sink stream fields without building an array per row.
    public func writeField(_ value: Value) {
        if fieldsInRow > 0 { buffer.append(UInt8(ascii: "\t")) }
        fieldsInRow += 1
        switch value {
        case .null:
            buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "N"))
        case .string(let s):
            appendEscaped(s)
        case .bool, .int, .double, .decimal, .timestamp:
            // Their text never holds a tab, newline or backslash.
            PostgresTextEncoder.append(value, to: &buffer)
        case .array, .object:
            scratch.removeAll(keepingCapacity: true)
            PostgresTextEncoder.append(value, to: &scratch)
            scratch.withUnsafeBufferPointer { appendEscaped($0) }
        }
    }

    /// Ends the current row, sending the buffer when it is full.
    public func endRow() throws {
        buffer.append(UInt8(ascii: "\n"))
        fieldsInRow = 0
        rowCount += 1
        if buffer.count >= CopyWriter.chunkSize { try flush() }
    }

    /// Sends whatever is buffered.
    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBufferPointer { bytes in
            try bytes.withMemoryRebound(to: CChar.self) { chars in
                try connection.putCopyData(chars)
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func appendEscaped(_ s: String) {
        var s = s
        s.withUTF8 { appendEscaped($0) }
    }

    /// Backslash-escapes the bytes COPY's text format gives meaning to,
    /// copying the runs between them in one go.
    private func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for i in 0..<bytes.count {
            let escaped: UInt8
            switch bytes[i] {
            case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): escaped = UInt8(ascii: "t")
            case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escaped = UInt8(ascii: "r")
            default: continue
            }
            if runStart < i { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(escaped)
            runStart = i + 1
        }
        if runStart < bytes.count { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
    }
}
