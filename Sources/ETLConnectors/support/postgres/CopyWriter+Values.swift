import ETLCore
import ETLPostgres

extension CopyWriter {
    /// Writes one row: the values in the COPY's column order.
    public func writeRow(_ values: [Value]) throws {
        for value in values { writeField(value) }
        try endRow()
    }

    /// Writes one field of the current row; `endRow()` closes the row. Lets a
    /// sink stream fields without building an array per row.
    public func writeField(_ value: Value) {
        switch value {
        case .null:
            writeNull()
        case .string(let s):
            writeText(s)
        case .bool, .int, .double, .decimal, .timestamp:
            // Their text never holds a tab, newline or backslash: no escaping pass.
            writeSafeText { PostgresTextEncoder.append(value, to: &$0) }
        case .array, .object:
            writeText { PostgresTextEncoder.append(value, to: &$0) }
        }
    }
}
