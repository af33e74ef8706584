/// Streams rows into a running `COPY … FROM STDIN` in text format, field by
/// field as text or NULL. Rows are escaped straight into one byte buffer
/// (`CopyRows`) and sent in ~1 MB chunks.
public final class CopyWriter {
    /// Rows written so far.
    public var rowCount: Int { rows.rowCount }

    // Usable from inline: the field writers below are inlined into the codec
    // in ETLConnectors, which calls them once per field of every row loaded.
    @usableFromInline var rows: CopyRows

    init(connection: PostgresConnection) {
        rows = CopyRows(connection: connection)
    }

    /// Runs `body` with the rows buffer borrowed: a loop over many rows writes
    /// through it with one exclusivity check in all, not one per field. The
    /// writer itself must not be used inside `body`.
    @inlinable
    public func withRows<T>(_ body: (inout CopyRows) throws -> T) rethrows -> T {
        try body(&rows)
    }

    /// NULL (`\N`) as the next field of the current row; `endRow()` closes the row.
    @inlinable
    public func writeNull() { rows.writeNull() }

    /// Text as the next field, escaped for COPY.
    @inlinable
    public func writeText(_ text: String) { rows.writeText(text) }

    /// The text `write` produces as the next field, escaped for COPY. `write`
    /// appends to a reused scratch buffer, so no field allocates.
    @inlinable
    public func writeText(_ write: (inout [UInt8]) -> Void) { rows.writeText(write) }

    /// The text `write` appends straight into the buffer as the next field, not
    /// escaped: only for text that never holds a tab, newline, carriage return
    /// or backslash (numbers, booleans, timestamps). The fast path for them.
    @inlinable
    public func writeSafeText(_ write: (inout [UInt8]) -> Void) { rows.writeSafeText(write) }

    /// Ends the current row, sending the buffer when it is full.
    public func endRow() throws { try rows.endRow() }

    /// Sends whatever is buffered.
    func flush() throws { try rows.flush() }
}
