import ETLCore
import ETLPostgres

extension CopyWriter {
    /// Writes one row: the values in the COPY's column order.
    public func writeRow(_ values: [Value]) throws {
        try withRows { rows in
            for value in values { rows.writeField(value) }
            try rows.endRow()
        }
    }

    /// Writes one field of the current row; `endRow()` closes the row. Lets a
    /// sink stream fields without building an array per row.
    public func writeField(_ value: Value) {
        withRows { $0.writeField(value) }
    }
}

extension CopyRows {
    /// Writes one field of the current row in PostgreSQL's text form.
    public mutating func writeField(_ value: Value) {
        switch value {
        case .null:
            writeNull()
        case .string(let s):
            writeText(s)
        case .int(let i):
            writeInteger(i)
        case .bool, .double, .decimal, .timestamp:
            // Their text never holds a tab, newline or backslash: no escaping pass.
            writeSafeText { PostgresTextEncoder.append(value, to: &$0) }
        case .array, .object:
            writeText { PostgresTextEncoder.append(value, to: &$0) }
        }
    }
}
