import Foundation
import ETLCore
import ETLConfig
import ETLPostgres

/// One row per run in a PostgreSQL table: inserted `running` at the start,
/// finished as `completed` or `failed` with counts, error and archive path.
/// Works with an existing table (the spec's `sync_jobs`): missing bookkeeping
/// columns are added, nothing is dropped.
final class RunLedger {
    let connection: PostgresConnection
    let spec: LedgerSpec
    let pipeline: String
    private var table: String { PostgresConnection.quoteIdentifier(spec.table) }

    /// Columns every ledger has, whatever the table was created with.
    static let bookkeeping: [(String, String)] = [("pipeline", "text"), ("run_id", "text"), ("duration_ms", "bigint")]

    init(connection: PostgresConnection, spec: LedgerSpec, pipeline: String) {
        self.connection = connection; self.spec = spec; self.pipeline = pipeline
    }

    /// Creates the table if missing and adds any missing column the ledger writes.
    func prepareTable() throws {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS \(table) (
              id SERIAL PRIMARY KEY,
              started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
              completed_at TIMESTAMP,
              status TEXT NOT NULL,
              error_message TEXT)
            """)
        let existing = Set(try connection.execute("""
            SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
            """, [.string(PostgresConnection.regclassText(spec.table))]).rows().compactMap { $0["attname"]?.stringValue })
        var wanted = RunLedger.bookkeeping
        for (column, variable) in spec.columns {
            wanted.append((column, RunLedger.sqlType(of: variable)))
        }
        for (column, type) in wanted where !existing.contains(column) {
            try connection.execute("ALTER TABLE \(table) ADD COLUMN IF NOT EXISTS \(PostgresConnection.quoteIdentifier(column)) \(type)")
        }
    }

    static func sqlType(of variable: String) -> String {
        switch variable {
        case "pipeline", "run_id", "status", "error", "archive_path": return "text"
        case "started_at": return "timestamp"
        case "dry_run": return "boolean"
        case "duration": return "double precision"
        default: return "bigint"
        }
    }

    struct RunningRow { var id: Int64; var ageSeconds: Double; var runID: String? }

    /// Runs of this pipeline still marked running (rows without a pipeline name count too: older tools wrote them).
    func runningRows() throws -> [RunningRow] {
        let r = try connection.execute("""
            SELECT id, EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC' - started_at))::float8 AS age, run_id
            FROM \(table) WHERE status = 'running' AND (pipeline IS NULL OR pipeline = $1) ORDER BY started_at
            """, [.string(pipeline)])
        return r.rows().map {
            RunningRow(id: $0["id"]?.intValue ?? 0, ageSeconds: $0["age"]?.doubleValue ?? 0, runID: $0["run_id"]?.stringValue)
        }
    }

    func markFailed(id: Int64, reason: String) throws {
        try connection.execute("""
            UPDATE \(table) SET status = 'failed', completed_at = now() AT TIME ZONE 'UTC', error_message = $2 WHERE id = $1
            """, [.int(id), .string(reason)])
    }

    func start(runID: String) throws -> Int64 {
        let r = try connection.execute("""
            INSERT INTO \(table) (started_at, status, pipeline, run_id) VALUES (now() AT TIME ZONE 'UTC', 'running', $1, $2) RETURNING id
            """, [.string(pipeline), .string(runID)])
        return r.value(row: 0, column: 0).intValue ?? 0
    }

    /// A run that failed before its ledger row existed (setup SQL, stale-run cleanup) still
    /// leaves a `failed` row — if the ledger table exists; it is not created just for that.
    func recordFailureBeforeStart(runID: String, error: String, variables: Fields) {
        guard (try? connection.execute("SELECT to_regclass($1) IS NOT NULL", [.string(PostgresConnection.regclassText(spec.table))]).value(row: 0, column: 0)) == .bool(true)
        else { return }
        do {
            try prepareTable()
            let id = try start(runID: runID)
            try finish(id: id, status: "failed", error: error, variables: variables)
        } catch {
            // The original failure is what matters; it was already logged.
        }
    }

    func finish(id: Int64, status: String, error: String?, variables: Fields) throws {
        var sets = ["status = $2", "completed_at = now() AT TIME ZONE 'UTC'", "error_message = $3", "duration_ms = $4"]
        var params: [Value] = [.int(id), .string(status), error.map { .string(Redactor.shared.redact($0)) } ?? .null,
                               variables["duration_ms"] ?? .null]
        for (column, variable) in spec.columns {
            params.append(variables[variable] ?? .null)
            sets.append("\(PostgresConnection.quoteIdentifier(column)) = $\(params.count)")
        }
        try connection.execute("UPDATE \(table) SET \(sets.joined(separator: ", ")) WHERE id = $1", params)
    }
}
