import Foundation
import ETLCore
import ETLPostgres

/// Records that `newer_than` keeps from overwriting a newer row are conflicts, and
/// never silent: they are counted (metric `conflicts`) and, with `on_conflict: reject`,
/// returned as rejects so a pipeline can keep them (`rejects.sink`) for a person; with
/// `on_conflict: record` they become `sync_conflicts` rows (PostgresConflictRecord.swift).
/// The resolve pass marks them (`_conflict`, with the row's value in `_row_newer`).
extension PostgresApplyPlan {
    /// Conflicts exist where a record can overwrite an existing row under the conflict rule.
    var checksConflicts: Bool { newerThan != nil && mode != .insert }

    static let conflictExamples = 5

    /// Counts the conflicts; with `on_conflict: reject` also drops them from the
    /// resolved rows (the row stays untouched) and returns them as rejects.
    func reportConflicts(_ c: PostgresConnection, _ context: RunContext) throws -> [Rejection] {
        guard let newerThan else { return [] }
        if let conflictRecord {
            _ = try recordConflicts(c, context, conflictRecord, newerThan)
            return []
        }
        guard rejectConflicts else {
            try warnAboutConflicts(c, context, newerThan)
            // An update leaves such rows alone by its own condition; a soft delete must be told.
            if mode == .softDelete { try c.execute("DELETE FROM \(resolvedTable) WHERE _conflict") }
            return []
        }
        let fields = conflictFields
        let rows = try c.execute("""
            SELECT _pos, _row_newer::text, \(q(newerThan))::text, \(fields.map { q($0.column) }.joined(separator: ", "))
            FROM \(resolvedTable) WHERE _conflict ORDER BY _pos
            """)
        guard rows.rowCount > 0 else { return [] }
        try c.execute("DELETE FROM \(resolvedTable) WHERE _conflict")
        context.metrics.add("conflicts", rows.rowCount)
        var rejects: [Rejection] = []
        rejects.reserveCapacity(rows.rowCount)
        for row in 0..<rows.rowCount {
            var record = Fields()
            for (i, field) in fields.enumerated() {
                Self.set(&record, field.path[...], rows.value(row: row, column: i + 3))
            }
            let position = Int(rows.value(row: row, column: 0).intValue ?? -1)
            let reason = Self.conflictReason(newerThan, row: rows.value(row: row, column: 1),
                                             record: rows.value(row: row, column: 2))
            rejects.append(Rejection(record: Record(record, position: position), stage: "postgres sink", reasons: [reason]))
        }
        return rejects
    }

    /// "row is newer (updated_at 2024-05-02 10:00:00+00) than the record (2024-05-01 09:00:00+00)"
    static func conflictReason(_ column: String, row: Value, record: Value) -> String {
        "row is newer (\(column) \(row.text)) than the record (\(record.isNull ? "no \(column)" : record.text))"
    }

    /// Skip mode: one warning with the count and a few keys.
    private func warnAboutConflicts(_ c: PostgresConnection, _ context: RunContext, _ newerThan: String) throws {
        let shown = payloadKey
        let examples = try c.execute("""
            SELECT count(*) OVER (), \(shown.map { q($0.column) }.joined(separator: ", "))
            FROM \(resolvedTable) WHERE _conflict ORDER BY _pos LIMIT \(Self.conflictExamples)
            """)
        guard examples.rowCount > 0 else { return }
        let total = Int(examples.value(row: 0, column: 0).intValue ?? 0)
        context.metrics.add("conflicts", total)
        let keys = (0..<examples.rowCount).map { r in
            shown.indices.map { "\(shown[$0].name)=\(examples.value(row: r, column: $0 + 1).text)" }.joined(separator: ",")
        }
        context.logger.warning("""
            \(total) records not applied to \(table): the row is newer (newer_than: \(newerThan)): \
            \(keys.joined(separator: "; "))\(total > keys.count ? " …" : "") (on_conflict: reject sends them to rejects.sink)
            """)
    }

    /// The resolved columns that rebuild a conflicting record's payload, with their field paths.
    private var conflictFields: [(column: String, path: [String])] {
        columns + (lookup?.match.map { (matchColumn($0.lookupColumn), $0.field.split(separator: ".").map(String.init)) } ?? [])
    }

    /// Sets a dotted field path (`data.email`) in a record, creating the objects on the way.
    private static func set(_ fields: inout Fields, _ path: ArraySlice<String>, _ value: Value) {
        guard let first = path.first else { return }
        if path.count == 1 { fields[first] = value; return }
        var inner = fields[first]?.objectValue ?? Fields()
        set(&inner, path.dropFirst(), value)
        fields[first] = .object(inner)
    }
}
