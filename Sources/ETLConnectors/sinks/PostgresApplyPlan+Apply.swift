import Foundation
import ETLCore
import ETLPostgres

/// The statements that turn the staged rows into the target's new state.
/// Rows to insert are computed into their own table before inserting: an
/// INSERT … WHERE NOT EXISTS on the table being filled was seen to go quadratic.
extension PostgresApplyPlan {
    static let resolved = "_etl_resolved"
    static let fresh = "_etl_new"

    func apply(_ c: PostgresConnection, _ context: RunContext) throws -> SinkReport {
        var report = SinkReport()
        let log = context.logger
        try c.execute("ANALYZE \(Self.stage)")
        if mode == .insert {
            let inserted = try c.execute(insertSQL(from: Self.stage, defaults: true), defaultParameters).affectedRows
            report.inserted = inserted; report.changed = inserted; report.written = inserted
            return report
        }
        report.rejects += try reportLookupMisses(c, context)
        try reportDuplicates(c, log)
        try c.execute(resolveSQL)
        try c.execute("ANALYZE \(Self.resolved)")
        report.written = try count(c, Self.resolved)

        let keyMatch = key.map { "t.\(q($0)) = r.\(q($0))" }.joined(separator: " AND ")
        switch mode {
        case .softDelete:
            let n = try c.execute("""
                UPDATE \(target) t SET \(q(deletedColumn)) = now() FROM \(Self.resolved) r
                WHERE \(keyMatch) AND t.\(q(deletedColumn)) IS NULL
                """).affectedRows
            report.deleted = n; report.changed = n
            return report
        case .insert:
            return report
        case .upsert, .update:
            break
        }
        if mode == .upsert {
            try c.execute("""
                CREATE TEMP TABLE \(Self.fresh) ON COMMIT DROP AS
                SELECT r.* FROM \(Self.resolved) r
                WHERE NOT EXISTS (SELECT 1 FROM \(target) t WHERE \(keyMatch))
                """)
        }
        report.updated = try context.metrics.time("sink_update") { try c.execute(updateChangedSQL(keyMatch)).affectedRows }
        if let syncedAt {
            try context.metrics.time("sink_touch") { _ = try c.execute(touchSQL(syncedAt, keyMatch)) }
        }
        if mode == .upsert {
            report.inserted = try context.metrics.time("sink_insert") {
                try c.execute(insertSQL(from: Self.fresh, defaults: true), defaultParameters).affectedRows
            }
        } else {
            let unmatched = try c.execute("""
                SELECT count(*) FROM \(Self.resolved) r WHERE NOT EXISTS (SELECT 1 FROM \(target) t WHERE \(keyMatch))
                """).value(row: 0, column: 0).intValue ?? 0
            if unmatched > 0 { log.warning("\(unmatched) records matched no row in \(table) (update mode leaves them out)") }
        }
        report.changed = report.updated + report.inserted
        return report
    }

    // MARK: lookup misses and duplicates

    /// Records whose lookup finds no row: rejected (or skipped) with their position.
    private func reportLookupMisses(_ c: PostgresConnection, _ context: RunContext) throws -> [Rejection] {
        guard let lookup else { return [] }
        let cond = lookup.match.map { "l.\(q($0.lookupColumn)) = s.\(q(matchColumn($0.lookupColumn)))" }.joined(separator: " AND ")
        let fields = lookup.match.map { "s.\(q(matchColumn($0.lookupColumn)))" }.joined(separator: ", ")
        let misses = try c.execute("""
            SELECT s._pos, \(fields) FROM \(Self.stage) s
            WHERE NOT EXISTS (SELECT 1 FROM \(q(lookup.table)) l WHERE \(cond)) ORDER BY s._pos
            """)
        try c.execute("""
            DELETE FROM \(Self.stage) s WHERE NOT EXISTS (SELECT 1 FROM \(q(lookup.table)) l WHERE \(cond))
            """)
        guard lookup.rejectMisses else {
            if misses.rowCount > 0 { context.logger.info("\(misses.rowCount) records skipped: no matching \(lookup.table) row") }
            return []
        }
        var rejects: [Rejection] = []
        rejects.reserveCapacity(misses.rowCount)
        for row in 0..<misses.rowCount {
            var fields = Fields()
            var described: [String] = []
            for (i, m) in lookup.match.enumerated() {
                let v = misses.value(row: row, column: i + 1)
                fields[m.field] = v
                described.append("\(m.lookupColumn) = \(v.typeName == "string" ? "'\(v.text)'" : v.text)")
            }
            let position = Int(misses.value(row: row, column: 0).intValue ?? -1)
            rejects.append(Rejection(record: Record(fields, position: position), stage: "postgres sink",
                                     reasons: ["no \(lookup.table) row with \(described.joined(separator: " and "))"]))
        }
        return rejects
    }

    /// The columns that identify a record in the payload: the lookup match, else the key.
    private var payloadKey: [String] {
        if let lookup { return lookup.match.map { matchColumn($0.lookupColumn) } }
        return key
    }

    private func reportDuplicates(_ c: PostgresConnection, _ log: Logger) throws {
        let cols = payloadKey.map(q).joined(separator: ", ")
        let dups = try c.execute("""
            SELECT \(cols), count(*) AS n, count(*) OVER () AS keys FROM \(Self.stage)
            GROUP BY \(cols) HAVING count(*) > 1 ORDER BY \(cols) LIMIT 10
            """)
        guard dups.rowCount > 0 else { return }
        let total = dups.value(row: 0, column: payloadKey.count + 1).intValue ?? Int64(dups.rowCount)
        let names = lookup?.match.map(\.field) ?? key
        let examples = (0..<dups.rowCount).map { r in
            names.indices.map { "\(names[$0])=\(dups.value(row: r, column: $0).text)" }.joined(separator: ",")
                + " ×\(dups.value(row: r, column: payloadKey.count).text)"
        }
        log.warning("\(total) keys appear more than once in the payload; the last record wins: \(examples.joined(separator: "; "))\(total > 10 ? " …" : "")")
    }

    private var resolveSQL: String {
        let keys = key.map { "\(q($0))" }.joined(separator: ", ")
        if let lookup {
            let cond = lookup.match.map { "l.\(q($0.lookupColumn)) = s.\(q(matchColumn($0.lookupColumn)))" }.joined(separator: " AND ")
            var select = ["s._pos"] + lookup.select.map { "l.\(q($0.lookupColumn)) AS \(q($0.targetColumn))" }
            let selected = Set(lookup.select.map(\.targetColumn))
            select += columns.map(\.column).filter { !selected.contains($0) }.map { "s.\(q($0))" }
            return """
                CREATE TEMP TABLE \(Self.resolved) ON COMMIT DROP AS
                SELECT DISTINCT ON (\(keys)) * FROM (
                  SELECT \(select.joined(separator: ", ")) FROM \(Self.stage) s JOIN \(q(lookup.table)) l ON \(cond)
                ) x ORDER BY \(keys), _pos DESC
                """
        }
        return """
            CREATE TEMP TABLE \(Self.resolved) ON COMMIT DROP AS
            SELECT DISTINCT ON (\(keys)) * FROM \(Self.stage) ORDER BY \(keys), _pos DESC
            """
    }

    // MARK: update

    /// The value a mapped column takes on update.
    private func newValue(_ column: String) -> String {
        keepExistingOnNull ? "COALESCE(r.\(q(column)), t.\(q(column)))" : "r.\(q(column))"
    }

    private var mappedColumns: [String] {
        let keys = Set(key)
        return columns.map(\.column).filter { !keys.contains($0) }
    }

    private func updateChangedSQL(_ keyMatch: String) -> String {
        var sets = mappedColumns.map { "\(q($0)) = \(newValue($0))" }
        for f in flagTimestamps {
            sets.append("\(q(f.timestamp)) = CASE WHEN \(newValue(f.flag)) THEN COALESCE(t.\(q(f.timestamp)), now()) ELSE NULL END")
        }
        if let changedAt { sets.append("\(q(changedAt)) = now()") }
        if let syncedAt { sets.append("\(q(syncedAt)) = now()") }
        let old = compare.map { "t.\(q($0))" }.joined(separator: ", ")
        let new = compare.map(newValue).joined(separator: ", ")
        var condition = "\(keyMatch) AND ROW(\(old)) IS DISTINCT FROM ROW(\(new))"
        if let newerThan { condition += " AND (t.\(q(newerThan)) IS NULL OR r.\(q(newerThan)) > t.\(q(newerThan)))" }
        return "UPDATE \(target) t SET \(sets.joined(separator: ", ")) FROM \(Self.resolved) r WHERE \(condition)"
    }

    /// Marks rows the run saw but did not change; also repairs flag timestamps out of step with their flag.
    private func touchSQL(_ syncedAt: String, _ keyMatch: String) -> String {
        var sets = ["\(q(syncedAt)) = now()"]
        for f in flagTimestamps {
            sets.append("\(q(f.timestamp)) = CASE WHEN t.\(q(f.flag)) THEN COALESCE(t.\(q(f.timestamp)), now()) ELSE NULL END")
        }
        return """
            UPDATE \(target) t SET \(sets.joined(separator: ", ")) FROM \(Self.resolved) r
            WHERE \(keyMatch) AND t.\(q(syncedAt)) IS DISTINCT FROM now()
            """
    }

    // MARK: insert

    private var insertColumns: [String] {
        var cols = key + mappedColumns
        if mode == .insert { cols = columns.map(\.column) }
        return cols
    }

    /// Parameters for `defaults`, in the order `insertSQL` numbers them.
    private var defaultParameters: [Value] {
        insertColumns.compactMap { defaults[$0] }
    }

    private func insertSQL(from source: String, defaults useDefaults: Bool) -> String {
        var names: [String] = []
        var exprs: [String] = []
        var parameter = 0
        for col in insertColumns {
            names.append(q(col))
            if Set(key).contains(col) && mode != .insert { exprs.append("s.\(q(col))"); continue }
            if defaults[col] != nil {
                parameter += 1
                exprs.append("COALESCE(s.\(q(col)), $\(parameter)::\(typeName(col)))")
            } else if let d = columnDefaults[col] {
                exprs.append("COALESCE(s.\(q(col)), \(d))")
            } else {
                exprs.append("s.\(q(col))")
            }
        }
        for f in flagTimestamps {
            let flagExpr = exprs[insertColumns.firstIndex(of: f.flag) ?? 0]
            names.append(q(f.timestamp)); exprs.append("CASE WHEN \(flagExpr) THEN now() END")
        }
        if let changedAt { names.append(q(changedAt)); exprs.append("now()") }
        if let syncedAt, syncedAt != changedAt { names.append(q(syncedAt)); exprs.append("now()") }
        return "INSERT INTO \(target) (\(names.joined(separator: ", "))) SELECT \(exprs.joined(separator: ", ")) FROM \(source) s ORDER BY s._pos"
    }

    private func count(_ c: PostgresConnection, _ table: String) throws -> Int {
        Int(try c.execute("SELECT count(*) FROM \(table)").value(row: 0, column: 0).intValue ?? 0)
    }
}
