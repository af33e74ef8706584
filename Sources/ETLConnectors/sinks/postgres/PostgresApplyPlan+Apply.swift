import Foundation
import ETLCore
import ETLPostgres

/// The statements that turn the staged rows into the target's new state, each one
/// pass over the data:
///  1. resolve: the staged rows joined once to the lookup table and to the target, so
///     every row carries its key and knows whether its lookup missed, whether it is
///     new and whether a compared column changes;
///  2. lookup misses are read (rejects with their position) and dropped; duplicates
///     are searched for only when staging saw a repeated key, and all but the last dropped;
///  3. one UPDATE of the matched rows, one INSERT of the new ones.
/// The rows to insert come from the resolved table: an INSERT … WHERE NOT EXISTS on the
/// table being filled was seen to go quadratic.
extension PostgresApplyPlan {
    var resolvedTable: String { "_etl_resolved" + tableSuffix }
    var duplicatesTable: String { "_etl_duplicates" + tableSuffix }

    func apply(_ c: PostgresConnection, _ context: RunContext, mayHaveDuplicates: Bool = true) throws -> SinkReport {
        var report = SinkReport()
        let log = context.logger
        try c.execute("ANALYZE \(stageTable)")
        if mode == .insert {
            let inserted = try c.execute(insertSQL(from: stageTable), defaultParameters).affectedRows
            report.inserted = inserted; report.changed = inserted; report.written = inserted
            return report
        }
        if let columns = changeCountingColumns, !context.dryRun {
            return try applyCountingChangesOnUpdate(c, context, columns: columns, mayHaveDuplicates: mayHaveDuplicates)
        }
        try context.metrics.time("sink_resolve") { _ = try c.execute(resolveSQL(joiningTarget: true)) }
        report.rejects += try reportLookupMisses(c, context).rejects
        if mayHaveDuplicates { _ = try removeDuplicates(c, log) }
        if checksConflicts { report.rejects += try reportConflicts(c, context) }
        try c.execute("ANALYZE \(resolvedTable)")
        let counts = try c.execute("""
            SELECT count(*), count(*) FILTER (WHERE _new), count(*) FILTER (WHERE _changed AND NOT _new)
            FROM \(resolvedTable)
            """)
        report.written = Int(counts.value(row: 0, column: 0).intValue ?? 0)
        let fresh = Int(counts.value(row: 0, column: 1).intValue ?? 0)
        let changed = Int(counts.value(row: 0, column: 2).intValue ?? 0)

        let keyMatch = key.map { "t.\(q($0)) = r.\(q($0))" }.joined(separator: " AND ")
        switch mode {
        case .softDelete:
            let n = try c.execute(softDeleteSQL(keyMatch), softDeleteSet.map { $0.1 }).affectedRows
            report.deleted = n; report.changed = n
            return report
        case .insert:
            return report
        case .upsert, .update:
            break
        }
        if context.dryRun { report.preview = try dryRunDiff(c, keyMatch) }
        if let syncedAt {
            // Every matched row is written anyway (synced_at), so one statement does both.
            try context.metrics.time("sink_update") { _ = try c.execute(updateMatchedSQL(syncedAt, keyMatch)) }
            report.updated = changed
        } else {
            report.updated = try context.metrics.time("sink_update") { try c.execute(updateChangedSQL(keyMatch)).affectedRows }
        }
        if mode == .upsert {
            if fresh > 0 {
                report.inserted = try context.metrics.time("sink_insert") {
                    try c.execute(insertSQL(from: resolvedTable, where: "s._new"), defaultParameters).affectedRows
                }
            }
        } else if fresh > 0 {
            log.warning("\(fresh) records matched no row in \(table) (update mode leaves them out)")
        }
        report.changed = report.updated + report.inserted
        return report
    }

    // MARK: resolve

    /// The expression giving a column's incoming value in the resolve query:
    /// from the lookup table when the lookup selects it, else from the staged row.
    private func incoming(_ column: String) -> String {
        if let l = lookup?.select.first(where: { $0.targetColumn == column }) { return "l.\(q(l.lookupColumn))" }
        return "s.\(q(column))"
    }

    /// True where a compared column would change (and, with `newer_than`, the record
    /// is newer). `value` gives a column's incoming value; `t` is the target row.
    func changeCondition(_ value: (String) -> String) -> String {
        func new(_ column: String) -> String {
            keepExistingOnNull ? "COALESCE(\(value(column)), t.\(q(column)))" : value(column)
        }
        let old = compare.map { "t.\(q($0))" }.joined(separator: ", ")
        var condition = "ROW(\(old)) IS DISTINCT FROM ROW(\(compare.map(new).joined(separator: ", ")))"
        // A soft-deleted row comes back when its record is written, even unchanged.
        if undelete { condition = "(\(condition) OR t.\(q(deletedColumn)) IS NOT NULL)" }
        if let newerThan { condition += " AND (t.\(q(newerThan)) IS NULL OR \(value(newerThan)) > t.\(q(newerThan)))" }
        return "(\(condition))"
    }

    /// The resolve query; `joiningTarget` false leaves out the target (no `_new`,
    /// `_changed` or conflict marks): the counted-update path learns those from its UPDATE.
    func resolveSQL(joiningTarget: Bool) -> String {
        var select = ["s._pos"]
        var from = "\(stageTable) s"
        if let lookup {
            select += lookup.select.map { "l.\(q($0.lookupColumn)) AS \(q($0.targetColumn))" }
            let selected = Set(lookup.select.map(\.targetColumn))
            select += columns.map(\.column).filter { !selected.contains($0) }.map { "s.\(q($0))" }
            select += lookup.match.map { "s.\(q(matchColumn($0.lookupColumn)))" }
            // A matched row has its (non-null) match value; a miss has nulls there.
            select.append("\(lookup.match.first.map { "l.\(q($0.lookupColumn))" } ?? "NULL") IS NULL AS _miss")
            let cond = lookup.match.map { "l.\(q($0.lookupColumn)) = s.\(q(matchColumn($0.lookupColumn)))" }.joined(separator: " AND ")
            from += " LEFT JOIN \(q(lookup.table)) l ON \(cond)"
        } else {
            select += columns.map { "s.\(q($0.column))" }
        }
        select += conflictRecord?.extras.map { "s.\(q($0.column))" } ?? []
        guard joiningTarget else {
            return "CREATE TEMP TABLE \(resolvedTable) ON COMMIT DROP AS SELECT \(select.joined(separator: ", ")) FROM \(from)"
        }
        select.append("\(key.first.map { "t.\(q($0))" } ?? "NULL") IS NULL AS _new")
        select.append("\(changeCondition(incoming)) AS _changed")
        if checksConflicts, let newerThan {
            let row = "t.\(q(newerThan))", record = incoming(newerThan)
            select.append("(\(row) IS NOT NULL AND (\(record) IS NULL OR \(record) < \(row))) AS _conflict")
            select.append("\(row) AS _row_newer")
        }
        let targetMatch = key.map { "t.\(q($0)) = \(incoming($0))" }.joined(separator: " AND ")
        from += " LEFT JOIN \(target) t ON \(targetMatch)"
        return "CREATE TEMP TABLE \(resolvedTable) ON COMMIT DROP AS SELECT \(select.joined(separator: ", ")) FROM \(from)"
    }

    // MARK: lookup misses and duplicates

    /// Records whose lookup finds no row: dropped from the resolved rows, and rejected
    /// (or skipped) with their position.
    func reportLookupMisses(_ c: PostgresConnection, _ context: RunContext) throws -> (rejects: [Rejection], dropped: Int) {
        guard let lookup else { return ([], 0) }
        let fields = lookup.match.map { q(matchColumn($0.lookupColumn)) }.joined(separator: ", ")
        let misses = try c.execute("SELECT _pos, \(fields) FROM \(resolvedTable) WHERE _miss ORDER BY _pos")
        guard misses.rowCount > 0 else { return ([], 0) }
        try c.execute("DELETE FROM \(resolvedTable) WHERE _miss")
        guard lookup.rejectMisses else {
            context.logger.info("\(misses.rowCount) records skipped: no matching \(lookup.table) row")
            return ([], misses.rowCount)
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
        return (rejects, misses.rowCount)
    }

    /// The columns that identify a record in the payload, with the names shown for them.
    var payloadKey: [(column: String, name: String)] {
        if let lookup { return lookup.match.map { (matchColumn($0.lookupColumn), $0.field) } }
        return key.map { ($0, $0) }
    }

    /// Keeps only the last record for each key, with one warning naming a few of them;
    /// returns how many records it dropped.
    func removeDuplicates(_ c: PostgresConnection, _ log: Logger) throws -> Int {
        let keys = key.map(q).joined(separator: ", ")
        try c.execute("""
            CREATE TEMP TABLE \(duplicatesTable) ON COMMIT DROP AS
            SELECT \(keys), max(_pos) AS _last, count(*) AS _n FROM \(resolvedTable) GROUP BY \(keys) HAVING count(*) > 1
            """)
        let total = Int(try c.execute("SELECT count(*) FROM \(duplicatesTable)").value(row: 0, column: 0).intValue ?? 0)
        guard total > 0 else { return 0 }
        let sameKey = key.map { "r.\(q($0)) = d.\(q($0))" }.joined(separator: " AND ")
        let shown = payloadKey.map { "r.\(q($0.column))" }.joined(separator: ", ")
        let examples = try c.execute("""
            SELECT \(shown), d._n FROM \(duplicatesTable) d JOIN \(resolvedTable) r ON r._pos = d._last AND \(sameKey)
            ORDER BY \(shown) LIMIT 10
            """)
        let dropped = try c.execute("DELETE FROM \(resolvedTable) r USING \(duplicatesTable) d WHERE \(sameKey) AND r._pos < d._last").affectedRows
        let names = payloadKey.map(\.name)
        let described = (0..<examples.rowCount).map { r in
            names.indices.map { "\(names[$0])=\(examples.value(row: r, column: $0).text)" }.joined(separator: ",")
                + " ×\(examples.value(row: r, column: names.count).text)"
        }
        log.warning("\(total) keys appear more than once in the payload; the last record wins: \(described.joined(separator: "; "))\(total > 10 ? " …" : "")")
        return dropped
    }

    // MARK: update

    /// The value a mapped column takes on update.
    func newValue(_ column: String) -> String {
        keepExistingOnNull ? "COALESCE(r.\(q(column)), t.\(q(column)))" : "r.\(q(column))"
    }

    var mappedColumns: [String] {
        let keys = Set(key)
        return columns.map(\.column).filter { !keys.contains($0) }
    }

    /// One UPDATE of every matched row: mapped columns and `changed_at` only where a
    /// compared column changes, flag timestamps set/kept/cleared (also repaired where
    /// out of step with their flag), `synced_at` everywhere.
    func updateMatchedSQL(_ syncedAt: String, _ keyMatch: String) -> String {
        let changes = changeCondition { "r.\(q($0))" }
        let mapped = mappedColumns
        func after(_ column: String) -> String {
            "CASE WHEN \(changes) THEN \(newValue(column)) ELSE t.\(q(column)) END"
        }
        var sets = mapped.map { "\(q($0)) = \(after($0))" }
        for f in flagTimestamps {
            let flag = mapped.contains(f.flag) ? after(f.flag) : "t.\(q(f.flag))"
            sets.append("\(q(f.timestamp)) = CASE WHEN \(flag) THEN COALESCE(t.\(q(f.timestamp)), now()) ELSE NULL END")
        }
        if let changedAt, changedAt != syncedAt {
            sets.append("\(q(changedAt)) = CASE WHEN \(changes) THEN now() ELSE t.\(q(changedAt)) END")
        }
        if undelete {
            sets.append("\(q(deletedColumn)) = CASE WHEN \(changes) THEN NULL ELSE t.\(q(deletedColumn)) END")
        }
        sets.append("\(q(syncedAt)) = now()")
        return "UPDATE \(target) t SET \(sets.joined(separator: ", ")) FROM \(resolvedTable) r WHERE \(keyMatch)"
    }

    /// Without `synced_at`, only rows whose compared columns change are written.
    private func updateChangedSQL(_ keyMatch: String) -> String {
        var sets = mappedColumns.map { "\(q($0)) = \(newValue($0))" }
        for f in flagTimestamps {
            sets.append("\(q(f.timestamp)) = CASE WHEN \(newValue(f.flag)) THEN COALESCE(t.\(q(f.timestamp)), now()) ELSE NULL END")
        }
        if let changedAt { sets.append("\(q(changedAt)) = now()") }
        if undelete { sets.append("\(q(deletedColumn)) = NULL") }
        return "UPDATE \(target) t SET \(sets.joined(separator: ", ")) FROM \(resolvedTable) r WHERE \(keyMatch) AND \(changeCondition { "r.\(q($0))" })"
    }

    // MARK: soft delete

    /// Sets `deleted_column` (and `soft_delete_set`, bound as $1… in its order) on rows not deleted yet.
    private func softDeleteSQL(_ keyMatch: String) -> String {
        var sets = ["\(q(deletedColumn)) = now()"]
        for (i, column) in softDeleteSet.map({ $0.0 }).enumerated() {
            sets.append("\(q(column)) = $\(i + 1)::\(typeName(column))")
        }
        return """
            UPDATE \(target) t SET \(sets.joined(separator: ", ")) FROM \(resolvedTable) r
            WHERE \(keyMatch) AND t.\(q(deletedColumn)) IS NULL
            """
    }

    // MARK: insert

    private var insertColumns: [String] {
        var cols = key + mappedColumns
        if mode == .insert { cols = columns.map(\.column) }
        return cols
    }

    /// Parameters for `defaults`, in the order `insertSQL` numbers them.
    var defaultParameters: [Value] {
        insertColumns.compactMap { defaults[$0] }
    }

    func insertSQL(from source: String, where condition: String? = nil) -> String {
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
        let filter = condition.map { " WHERE \($0)" } ?? ""
        return "INSERT INTO \(target) (\(names.joined(separator: ", "))) SELECT \(exprs.joined(separator: ", ")) FROM \(source) s\(filter) ORDER BY s._pos"
    }
}
