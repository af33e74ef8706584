import ETLCore
import ETLPostgres

/// Results as `Value`s, converted on access by column type (`PostgresValueDecoder`):
/// integers → `.int`, numeric → `.decimal` (exact), floats → `.double`, bool →
/// `.bool`, timestamps → `.timestamp` (UTC), json/jsonb → parsed, arrays →
/// `.array`, every other type → `.string` with the server's text, NULL → `.null`.
extension PostgresResult {
    /// NULL and out-of-range fields read as `.null`.
    public func value(row: Int, column: Int) -> Value {
        guard !isNull(row: row, column: column) else { return .null }
        let type = columnTypes[column]
        return withFieldBytes(row: row, column: column) { PostgresValueDecoder.decode($0, type: type) }
    }

    public func value(row: Int, name: String) -> Value {
        guard let column = columnIndex(name) else { return .null }
        return value(row: row, column: column)
    }

    /// One row as fields in column order.
    public func fields(row: Int) -> Fields {
        var f = Fields()
        f.reserveCapacity(columns.count)
        for (column, name) in columns.enumerated() { f.appendUnchecked(name, value(row: row, column: column)) }
        return f
    }

    /// Every row as fields. Duplicate column names keep every value (first wins on lookup).
    public func rows() -> [Fields] { (0..<rowCount).map { fields(row: $0) } }
}
