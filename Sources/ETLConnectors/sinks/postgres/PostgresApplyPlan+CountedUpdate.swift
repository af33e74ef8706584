import ETLCore
import ETLPostgres

/// The upsert of a sink with both `synced_at` and `changed_at` in fewer passes.
///
/// The general path joins the staged rows to the target twice: once to resolve (is the
/// row new, does a compared column change) and once more in the UPDATE. When every
/// matched row is written anyway (`synced_at`) and a change stamps `changed_at` with
/// `now()`, the UPDATE itself can say what it changed: `RETURNING changed_at = now()` is
/// true exactly for the rows whose compared columns changed (PostgreSQL 15 has no
/// `RETURNING OLD`). So the resolve joins only the lookup table, the UPDATE joins the
/// target once, and the new rows are those matched but not updated — a third join only
/// runs when some are new and some are not (docs/performance.md, "one join less").
///
/// `now()` is the transaction's start, so a row counts as changed when it was already
/// stamped earlier in the same transaction by another stage (a second sink or a
/// `postgres` transform writing the same rows): it was changed by this run.
extension PostgresApplyPlan {
    /// The two timestamp columns this path relies on, present when it applies. `changed_at`
    /// must hold `now()` exactly (a plain timestamp, no reduced precision, not a date), and
    /// the path leaves out what needs the resolve's marks: conflicts (and dry-run diffs,
    /// checked by the caller).
    var changeCountingColumns: (syncedAt: String, changedAt: String)? {
        guard mode == .upsert || mode == .update, let syncedAt, let changedAt, changedAt != syncedAt,
              !checksConflicts else { return nil }
        let exact = ["timestamp without time zone", "timestamp with time zone"]
        guard let type = columnTypes[changedAt]?.sqlType, exact.contains(type) else { return nil }
        return (syncedAt, changedAt)
    }

    var freshTable: String { "_etl_fresh" + tableSuffix }

    /// Below this many resolved rows they are ANALYZEd before the UPDATE (well under a
    /// millisecond). A table never analyzed is planned as at least ten pages of rows
    /// (~1,850 of `inventory`'s width), so a handful of rows — a webhook batch, a small nightly file — was
    /// joined to the target by hashing all of it: 16 ms at 50k target rows instead of
    /// 0.3 ms, on every batch. Above it the estimate from the table's size is close enough.
    static let analyzedResolveLimit = 5_000

    func applyCountingChangesOnUpdate(_ c: PostgresConnection, _ context: RunContext,
                                      columns: (syncedAt: String, changedAt: String),
                                      mayHaveDuplicates: Bool) throws -> SinkReport {
        var report = SinkReport()
        var matched = try context.metrics.time("sink_resolve") {
            try c.execute(resolveSQL(joiningTarget: false)).affectedRows
        }
        let misses = try reportLookupMisses(c, context)
        report.rejects += misses.rejects
        matched -= misses.dropped
        if mayHaveDuplicates { matched -= try removeDuplicates(c, context.logger) }
        report.written = matched
        if matched < Self.analyzedResolveLimit { try c.execute("ANALYZE \(resolvedTable)") }

        let keyMatch = key.map { "t.\(q($0)) = r.\(q($0))" }.joined(separator: " AND ")
        let counts = try context.metrics.time("sink_update") {
            try c.execute("""
                WITH updated AS (\(updateMatchedSQL(columns.syncedAt, keyMatch)) RETURNING t.\(q(columns.changedAt)) = now() AS _changed)
                SELECT count(*), count(*) FILTER (WHERE _changed) FROM updated
                """)
        }
        let updated = Int(counts.value(row: 0, column: 0).intValue ?? 0)
        report.updated = Int(counts.value(row: 0, column: 1).intValue ?? 0)
        let fresh = matched - updated
        if fresh > 0 {
            if mode == .update {
                context.logger.warning("\(fresh) records matched no row in \(table) (update mode leaves them out)")
            } else {
                report.inserted = try context.metrics.time("sink_insert") { try insertFresh(c, everyRow: updated == 0) }
            }
        }
        report.changed = report.updated + report.inserted
        return report
    }

    /// Inserts the resolved rows that have no target row yet. When nothing was updated
    /// they all are new. Otherwise they are picked into a table first: an INSERT … WHERE
    /// NOT EXISTS on the table it fills can go quadratic (the anti-join's scan of the
    /// target grows with every row inserted).
    private func insertFresh(_ c: PostgresConnection, everyRow: Bool) throws -> Int {
        if everyRow { return try c.execute(insertSQL(from: resolvedTable), defaultParameters).affectedRows }
        let sameKey = key.map { "t.\(q($0)) = r.\(q($0))" }.joined(separator: " AND ")
        try c.execute("""
            CREATE TEMP TABLE \(freshTable) ON COMMIT DROP AS
            SELECT r.* FROM \(resolvedTable) r WHERE NOT EXISTS (SELECT 1 FROM \(target) t WHERE \(sameKey))
            """)
        return try c.execute(insertSQL(from: freshTable), defaultParameters).affectedRows
    }
}
