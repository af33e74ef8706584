import CLibPQ

/// Streams rows into a running `COPY … FROM STDIN` in text format, field by
/// field as text or NULL. Rows are escaped straight into one byte buffer and
/// sent in ~1 MB chunks.
public final class CopyWriter {
    /// Rows written so far.
    public private(set) var rowCount = 0
    /// A chunk is sent once the buffer passes this size.
    static let chunkSize = 1 << 20

    private let connection: PostgresConnection
    // Usable from inline: the field writers below are inlined into the codec
    // in ETLConnectors, which calls them once per field of every row loaded.
    @usableFromInline var buffer: [UInt8] = []
    @usableFromInline var scratch: [UInt8] = []
    @usableFromInline var fieldsInRow = 0

    init(connection: PostgresConnection) {
        self.connection = connection
        buffer.reserveCapacity(CopyWriter.chunkSize + 64 * 1024)
    }

    /// NULL (`\N`) as the next field of the current row; `endRow()` closes the row.
    @inlinable
    public func writeNull() {
        startField()
        buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "N"))
    }

    /// Text as the next field, escaped for COPY.
    @inlinable
    public func writeText(_ text: String) {
        startField()
        appendEscaped(text)
    }

    /// The text `write` produces as the next field, escaped for COPY. `write`
    /// appends to a reused scratch buffer, so no field allocates.
    @inlinable
    public func writeText(_ write: (inout [UInt8]) -> Void) {
        startField()
        scratch.removeAll(keepingCapacity: true)
        write(&scratch)
        scratch.withUnsafeBufferPointer { appendEscaped($0) }
    }

    /// The text `write` appends straight into the buffer as the next field, not
    /// escaped: only for text that never holds a tab, newline, carriage return
    /// or backslash (numbers, booleans, timestamps). The fast path for them.
    @inlinable
    public func writeSafeText(_ write: (inout [UInt8]) -> Void) {
        startField()
        write(&buffer)
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

    @inlinable
    func startField() {
        if fieldsInRow > 0 { buffer.append(UInt8(ascii: "\t")) }
        fieldsInRow += 1
    }

    @usableFromInline
    func appendEscaped(_ s: String) {
        var s = s
        s.withUTF8 { appendEscaped($0) }
    }

    /// Backslash-escapes the bytes COPY's text format gives meaning to,
    /// copying the runs between them in one go.
    @usableFromInline
    func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
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
