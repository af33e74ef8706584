import ETLCore
import ETLPostgres

/// `on_conflict: record`: a record that `newer_than` keeps from overwriting a newer
/// local row (or from soft-deleting it) becomes a `sync_conflicts` row in the same
/// transaction — the local row as JSON, what was sent, both timestamps, status
/// 'pending' — for the conflict resolver or a person to decide. The row is untouched.
extension PostgresSink {
    enum Conflicts {
        static let table = OptionKey<String>("table", default: "sync_conflicts", doc: "Table the conflicts go to (columns as sql/sync-conflicts.sql).")
        static let recordType = OptionKey<String?>("record_type", doc: "record_type written (default: the target table).", example: "contact")
        static let source = OptionKey<String?>("source", doc: "source written: who sent the remote version.", example: "crm")
        static let recordID = OptionKey<String?>("record_id", doc: "Record field giving record_id (default: the key columns, comma-joined).", example: "id")
        static let event = OptionKey<String?>("event", doc: "Record field giving event (default: `deleted` in soft_delete mode, else `updated`).", example: "event")
        static let remoteData = OptionKey<String?>("remote_data", doc: "Record field stored as remote_data (default: the mapped columns as a JSON object).", example: "data")
        static let originalData = OptionKey<String?>("original_data", doc: "Record field stored as original_data, the last synced version, when the sender knows it.")
    }
    static let conflicts = OptionKey<Options?>("conflicts",
        [Conflicts.table, Conflicts.recordType, Conflicts.source, Conflicts.recordID, Conflicts.event, Conflicts.remoteData, Conflicts.originalData],
        doc: "With `on_conflict: record`: where and how conflicts are written.",
        example: "{record_type: contact, source: crm, record_id: external_id, event: event, remote_data: data}")
}

/// Where `on_conflict: record` writes, and the record fields staged for it.
struct PostgresConflictRecord {
    /// A record field staged beside the mapped columns (`_c_event` …), for the conflict row only.
    struct StagedExtra { var column: String; var path: [String]; var sqlType: String }

    let table: String
    let recordType: String
    let source: String?
    let recordID: StagedExtra?
    let event: StagedExtra?
    let remoteData: StagedExtra?
    let originalData: StagedExtra?

    var extras: [StagedExtra] { [recordID, event, remoteData, originalData].compactMap { $0 } }

    /// Nil unless `on_conflict: record`.
    init?(options: Options, targetTable: String, mode: PostgresApplyPlan.Mode) throws {
        guard options[PostgresSink.onConflict] == "record" else {
            if options.has(PostgresSink.conflicts) {
                throw options.error(PostgresSink.conflicts, "conflicts applies to on_conflict: record", hint: "set on_conflict: record, or drop the block")
            }
            return nil
        }
        guard options[PostgresSink.newerThan] != nil else {
            throw options.error(PostgresSink.onConflict, "on_conflict: record needs newer_than: the column that tells which side is newer")
        }
        guard mode != .insert else {
            throw options.error(PostgresSink.onConflict, "on_conflict: record applies to modes upsert, update and soft_delete, not insert")
        }
        let block = options[PostgresSink.conflicts]
        func extra(_ key: OptionKey<String?>, _ column: String, _ type: String) -> StagedExtra? {
            block?[key].map { StagedExtra(column: column, path: $0.split(separator: ".").map(String.init), sqlType: type) }
        }
        table = block?[PostgresSink.Conflicts.table] ?? "sync_conflicts"
        try PostgresApplyPlan.checkTableName(table, options, "conflicts.table")
        recordType = block?[PostgresSink.Conflicts.recordType] ?? targetTable
        source = block?[PostgresSink.Conflicts.source]
        recordID = extra(PostgresSink.Conflicts.recordID, "_c_record_id", "text")
        event = extra(PostgresSink.Conflicts.event, "_c_event", "text")
        remoteData = extra(PostgresSink.Conflicts.remoteData, "_c_remote_data", "jsonb")
        originalData = extra(PostgresSink.Conflicts.originalData, "_c_original_data", "jsonb")
    }
}

extension PostgresApplyPlan {
    /// Writes one conflict row per resolved record marked `_conflict`, then drops those
    /// records from the apply (their rows stay as they are). Returns how many.
    func recordConflicts(_ c: PostgresConnection, _ context: RunContext, _ record: PostgresConflictRecord, _ newerThan: String) throws -> Int {
        let keyMatch = key.map { "t.\(q($0)) = r.\(q($0))" }.joined(separator: " AND ")
        let keyText = "concat_ws(',', \(key.map { "r.\(q($0))::text" }.joined(separator: ", ")))"
        let mapped = columns.map { "'\($0.column.replacingOccurrences(of: "'", with: "''"))', r.\(q($0.column))" }
        let remote = "jsonb_build_object(\(mapped.joined(separator: ", ")))"
        let isTimestamp: Bool
        if case .timestamp = columnTypes[newerThan]?.category { isTimestamp = true } else { isTimestamp = false }
        let local = isTimestamp ? "t.\(q(newerThan))::timestamptz" : "NULL::timestamptz"
        let sent = isTimestamp ? "r.\(q(newerThan))::timestamptz" : "NULL::timestamptz"
        let rows = try c.execute("""
            INSERT INTO \(q(record.table)) (record_type, record_id, source, local_data, remote_data, original_data,
                local_timestamp, remote_timestamp, event, status)
            SELECT $1::text, \(record.recordID.map { "COALESCE(r.\(q($0.column)), \(keyText))" } ?? keyText), $2::text, to_jsonb(t),
                \(record.remoteData.map { "COALESCE(r.\(q($0.column)), \(remote))" } ?? remote),
                \(record.originalData.map { "r.\(q($0.column))" } ?? "NULL::jsonb"),
                \(local), \(sent), \(record.event.map { "COALESCE(r.\(q($0.column)), $3::text)" } ?? "$3::text"), 'pending'
            FROM \(resolvedTable) r JOIN \(target) t ON \(keyMatch)
            WHERE r._conflict ORDER BY r._pos
            RETURNING id
            """, [.string(record.recordType), record.source.map(Value.string) ?? .null, .string(mode == .softDelete ? "deleted" : "updated")])
        guard rows.rowCount > 0 else { return 0 }
        try c.execute("DELETE FROM \(resolvedTable) WHERE _conflict")
        context.metrics.add("conflicts", rows.rowCount)
        let ids = (0..<min(rows.rowCount, Self.conflictExamples)).map { rows.value(row: $0, column: 0).text }
        context.logger.warning("""
            \(rows.rowCount) records not applied to \(table): the row is newer (newer_than: \(newerThan)); \
            recorded in \(record.table) (id \(ids.joined(separator: ", "))\(rows.rowCount > ids.count ? " …" : ""))
            """)
        return rows.rowCount
    }
}
