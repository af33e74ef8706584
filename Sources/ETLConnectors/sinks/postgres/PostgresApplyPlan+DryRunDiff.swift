import ETLCore
import ETLPostgres

extension PostgresApplyPlan {
    /// Rows a dry run shows, by record key.
    static let diffLimit = 20

    /// What the rolled-back UPDATE and INSERT would change, before they run:
    /// `SKU-1  in_stock 45 → 40` for a changed row, `SKU-9  new: in_stock 3` for a new one.
    func dryRunDiff(_ c: PostgresConnection, _ keyMatch: String) throws -> [String] {
        guard !compare.isEmpty else { return [] }
        let label = payloadKey.map { "r.\(q($0.column))::text" }.joined(separator: " || ' ' || ")
        func incoming(_ column: String) -> String {
            keepExistingOnNull ? "COALESCE(r.\(q(column)), t.\(q(column)))" : "r.\(q(column))"
        }
        let pairs = compare.map { "t.\(q($0))::text, (\(incoming($0)))::text" }.joined(separator: ", ")
        let changed = try c.execute("""
            SELECT \(label), \(pairs) FROM \(resolvedTable) r JOIN \(target) t ON \(keyMatch)
            WHERE r._changed AND NOT r._new ORDER BY r._pos LIMIT \(Self.diffLimit)
            """)
        var lines: [String] = []
        for row in 0..<changed.rowCount {
            var parts: [String] = []
            for (i, column) in compare.enumerated() {
                let old = changed.text(row: row, column: 1 + 2 * i), new = changed.text(row: row, column: 2 + 2 * i)
                if old != new { parts.append("\(column) \(old ?? "null") → \(new ?? "null")") }
            }
            lines.append("\(changed.text(row: row, column: 0) ?? "?")  \(parts.joined(separator: ", "))")
        }
        guard mode == .upsert, lines.count < Self.diffLimit else { return lines }
        let values = compare.map { "r.\(q($0))::text" }.joined(separator: ", ")
        let fresh = try c.execute("""
            SELECT \(label), \(values) FROM \(resolvedTable) r WHERE r._new ORDER BY r._pos LIMIT \(Self.diffLimit - lines.count)
            """)
        for row in 0..<fresh.rowCount {
            let parts = compare.enumerated().map { "\($1) \(fresh.text(row: row, column: $0 + 1) ?? "null")" }
            lines.append("\(fresh.text(row: row, column: 0) ?? "?")  new: \(parts.joined(separator: ", "))")
        }
        return lines
    }
}
