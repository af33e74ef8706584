import ETLBytes

/// The buffer of a running `COPY … FROM STDIN` in text format, as a value: rows
/// are escaped straight into it and sent in ~1 MB chunks. `CopyWriter` holds one;
/// a loop writing many rows borrows it (`CopyWriter.withRows`) into a local,
/// where field writes cost no dynamic exclusivity check as a class's stored
/// properties do on every access.
public struct CopyRows {
    /// Rows written so far.
    public private(set) var rowCount = 0
    /// A chunk is sent once the buffer passes this size.
    static let chunkSize = 1 << 20

    /// Nil for a detached buffer (tests), which keeps every row in memory.
    private let connection: PostgresConnection?
    // Usable from inline: the field writers below are inlined into the codec
    // in ETLConnectors, which calls them once per field of every row loaded.
    @usableFromInline var buffer: [UInt8] = []
    @usableFromInline var scratch: [UInt8] = []
    @usableFromInline var fieldsInRow = 0
    /// Where the current row starts in `buffer`, so `cancelRow` can take it back.
    private var rowStart = 0

    init(connection: PostgresConnection?) {
        self.connection = connection
        buffer.reserveCapacity(CopyRows.chunkSize + 64 * 1024)
    }

    /// NULL (`\N`) as the next field of the current row; `endRow()` closes the row.
    @inlinable
    public mutating func writeNull() {
        startField()
        buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "N"))
    }

    /// Text as the next field, escaped for COPY.
    @inlinable
    public mutating func writeText(_ text: String) {
        startField()
        appendEscaped(text)
    }

    /// Text as the next field, escaped for COPY, unless it holds U+0000, which
    /// PostgreSQL text cannot store: then false, and the row must be cancelled.
    /// One pass over the bytes does both.
    @inlinable
    public mutating func writeTextRefusingNUL(_ text: String) -> Bool {
        startField()
        if let clean = text.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, refusingNUL: true) }) { return clean }
        var copy = text
        return copy.withUTF8 { appendEscaped($0, refusingNUL: true) }
    }

    /// The text `write` produces as the next field, escaped for COPY. `write`
    /// appends to a reused scratch buffer, so no field allocates.
    @inlinable
    public mutating func writeText(_ write: (inout [UInt8]) -> Void) {
        startField()
        scratch.removeAll(keepingCapacity: true)
        write(&scratch)
        var bytes: [UInt8] = []
        swap(&bytes, &scratch)
        bytes.withUnsafeBufferPointer { _ = appendEscaped($0, refusingNUL: false) }
        swap(&bytes, &scratch)
    }

    /// The text `write` appends straight into the buffer as the next field, not
    /// escaped: only for text that never holds a tab, newline, carriage return
    /// or backslash (numbers, booleans, timestamps). The fast path for them.
    @inlinable
    public mutating func writeSafeText(_ write: (inout [UInt8]) -> Void) {
        startField()
        write(&buffer)
    }

    /// An integer as the next field, its digits written straight into the buffer.
    @inlinable
    public mutating func writeInteger(_ value: Int64) {
        startField()
        IntegerText.append(value, to: &buffer)
    }

    /// Ends the current row, sending the buffer when it is full.
    public mutating func endRow() throws {
        buffer.append(UInt8(ascii: "\n"))
        fieldsInRow = 0
        rowCount += 1
        if buffer.count >= CopyRows.chunkSize { try flush() }
        rowStart = buffer.count
    }

    /// Takes back the fields written since the last `endRow()`: the row is not sent.
    public mutating func cancelRow() {
        buffer.removeSubrange(rowStart...)
        fieldsInRow = 0
    }

    /// Sends whatever is buffered.
    mutating func flush() throws {
        guard let connection, !buffer.isEmpty else { return }
        try buffer.withUnsafeBufferPointer { bytes in
            try bytes.withMemoryRebound(to: CChar.self) { chars in
                try connection.putCopyData(chars)
            }
        }
        buffer.removeAll(keepingCapacity: true)
        rowStart = 0
    }

    @inlinable
    mutating func startField() {
        if fieldsInRow > 0 { buffer.append(UInt8(ascii: "\t")) }
        fieldsInRow += 1
    }

    @usableFromInline
    mutating func appendEscaped(_ s: String) {
        if s.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, refusingNUL: false) }) != nil { return }
        var copy = s
        _ = copy.withUTF8 { appendEscaped($0, refusingNUL: false) }
    }

    /// Backslash-escapes the bytes COPY's text format gives meaning to, copying
    /// the runs between them in one go. With `refusingNUL`, stops at a U+0000
    /// and returns false (what was appended must then be cancelled).
    @usableFromInline
    mutating func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, refusingNUL: Bool) -> Bool {
        var runStart = 0
        for i in 0..<bytes.count {
            let b = bytes[i]
            // Most bytes need nothing: all the special ones are below 0x0E, but the backslash.
            if b > 0x0D && b != UInt8(ascii: "\\") { continue }
            let escaped: UInt8
            switch b {
            case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): escaped = UInt8(ascii: "t")
            case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escaped = UInt8(ascii: "r")
            case 0 where refusingNUL: return false
            default: continue
            }
            if runStart < i { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(escaped)
            runStart = i + 1
        }
        if runStart < bytes.count { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        return true
    }
}
