import Foundation
import ETLCore
import ETLConfig
import ETLPostgres
import ETLConnectors

/// One finished (or still running) run as its ledger row tells it.
public struct RunHistoryEntry {
    public var pipeline: String
    public var id: Int64
    public var runID: String?
    public var status: String
    /// UTC, `YYYY-MM-DD HH:MM:SS`.
    public var startedAt: String
    public var completedAt: String?
    public var durationMs: Int64?
    public var error: String?
    /// Run variable → value, for the ledger's mapped columns (records_written, items_changed …).
    public var counts: Fields

    public var json: Value {
        var f = Fields()
        f["pipeline"] = .string(pipeline)
        f["id"] = .int(id)
        f["run_id"] = runID.map { .string($0) } ?? .null
        f["status"] = .string(status)
        f["started_at"] = .string(startedAt)
        f["completed_at"] = completedAt.map { .string($0) } ?? .null
        f["duration_ms"] = durationMs.map { .int($0) } ?? .null
        f["error"] = error.map { .string($0) } ?? .null
        f["counts"] = .object(counts)
        return .object(f)
    }
}

/// `etl history`: reads a pipeline's ledger, newest first. Read-only: a ledger
/// table that does not exist yet means "never run", not an error.
public enum RunHistory {
    public static func entries(_ spec: PipelineSpec, failedOnly: Bool, limit: Int) throws -> [RunHistoryEntry] {
        guard let ledger = spec.ledger else { return [] }
        let connection = try PostgresConnection(url: ledger.database)
        defer { connection.close() }
        let regclass = PostgresConnection.regclassText(ledger.table)
        guard try connection.execute("SELECT to_regclass($1) IS NOT NULL", [.string(regclass)]).value(row: 0, column: 0) == .bool(true) else {
            return []
        }
        let existing = Set(try connection.execute("""
            SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
            """, [.string(regclass)]).rows().compactMap { $0["attname"]?.stringValue })
        func column(_ name: String, as alias: String) -> String {
            existing.contains(name) ? "\(PostgresConnection.quoteIdentifier(name)) AS \(PostgresConnection.quoteIdentifier(alias))"
                                    : "NULL AS \(PostgresConnection.quoteIdentifier(alias))"
        }
        let mapped = ledger.columns.filter { existing.contains($0.column) }
        var select = ["id", "status", "error_message",
                      "to_char(started_at, 'YYYY-MM-DD HH24:MI:SS') AS started",
                      "to_char(completed_at, 'YYYY-MM-DD HH24:MI:SS') AS completed",
                      column("run_id", as: "run_id"), column("duration_ms", as: "duration_ms")]
        select += mapped.enumerated().map { "\(PostgresConnection.quoteIdentifier($1.column)) AS \"m\($0)\"" }
        var conditions: [String] = []
        // A ledger shared by pipelines tells them apart by `pipeline`; rows older tools wrote have none.
        if existing.contains("pipeline") { conditions.append("(pipeline = $1 OR pipeline IS NULL)") } else { conditions.append("$1::text IS NOT NULL") }
        if failedOnly { conditions.append("status = 'failed'") }
        let sql = """
            SELECT \(select.joined(separator: ", ")) FROM \(PostgresConnection.quoteIdentifier(ledger.table))
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY started_at DESC, id DESC LIMIT \(max(0, limit))
            """
        return try connection.execute(sql, [.string(spec.name)]).rows().map { row in
            var counts = Fields()
            for (i, m) in mapped.enumerated() where RunLedger.sqlType(of: m.variable) == "bigint" {
                counts[m.variable] = row["m\(i)"] ?? .null
            }
            return RunHistoryEntry(pipeline: spec.name, id: row["id"]?.intValue ?? 0, runID: row["run_id"]?.stringValue,
                                   status: row["status"]?.stringValue ?? "?", startedAt: row["started"]?.stringValue ?? "",
                                   completedAt: row["completed"]?.stringValue, durationMs: row["duration_ms"]?.intValue,
                                   error: row["error_message"]?.stringValue, counts: counts)
        }
    }
}
