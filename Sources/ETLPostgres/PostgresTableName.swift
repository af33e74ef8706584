/// Table names as written in pipelines (`items`, `shop.items`, `db.shop.items`).
/// They are quoted part by part (`PostgresConnection.quoteIdentifier`), so case
/// and odd characters are kept; what is left to go wrong is the shape, which
/// PostgreSQL would only report as "invalid name syntax", without the name.
extension PostgresConnection {
    /// PostgreSQL cuts identifiers longer than this many bytes (NAMEDATALEN - 1).
    public static let maxIdentifierBytes = 63

    /// Why `name` cannot name a table, naming it; nil when it can.
    public static func tableNameProblem(_ name: String) -> String? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if name.isEmpty { return "the table name is empty" }
        if name.contains("\0") { return "table name '\(name)' contains a NUL character" }
        if parts.count > 3 { return "table name '\(name)' has \(parts.count) dot-separated parts, at most 3 (database.schema.table)" }
        if parts.contains(where: \.isEmpty) { return "table name '\(name)' has an empty part (a leading, trailing or doubled dot)" }
        if let long = parts.first(where: { $0.utf8.count > maxIdentifierBytes }) {
            return "'\(long)' in table name '\(name)' is longer than \(maxIdentifierBytes) bytes, which PostgreSQL would cut"
        }
        return nil
    }

    /// The text to pass where PostgreSQL parses a name (`$1::regclass`, `to_regclass($1)`):
    /// quoted like the SQL statements, so both mean the same table.
    public static func regclassText(_ name: String) -> String { quoteIdentifier(name) }
}
