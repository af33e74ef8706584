import Foundation
import ETLCore
import ETLConfig
import ETLConnectors
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

    /// A column as the catalog describes it: `pg_type.typcategory` and `typname`.
    struct ColumnType { var category: String; var name: String }

    /// Creates the table if missing and adds any missing column the ledger writes. Returns the
    /// columns the table had (one catalog read), for `checkColumnTypes`; the added ones fit.
    @discardableResult
    func prepareTable() throws -> [String: ColumnType] {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS \(table) (
              id SERIAL PRIMARY KEY,
              started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
              completed_at TIMESTAMP,
              status TEXT NOT NULL,
              error_message TEXT)
            """)
        let existing = try columnTypes()
        var wanted = RunLedger.bookkeeping
        for (column, variable) in spec.columns {
            wanted.append((column, RunLedger.sqlType(of: variable)))
        }
        for (column, type) in wanted where existing[column] == nil {
            try connection.execute("ALTER TABLE \(table) ADD COLUMN IF NOT EXISTS \(PostgresConnection.quoteIdentifier(column)) \(type)")
        }
        return existing
    }

    private func columnTypes() throws -> [String: ColumnType] {
        let rows = try connection.execute("""
            SELECT a.attname, t.typcategory, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
            """, [.string(PostgresConnection.regclassText(spec.table))]).rows()
        var columns: [String: ColumnType] = [:]
        for row in rows {
            if let name = row["attname"]?.stringValue {
                columns[name] = ColumnType(category: row["typcategory"]?.stringValue ?? "", name: row["typname"]?.stringValue ?? "")
            }
        }
        return columns
    }

    /// A run variable mapped to a column that cannot hold it (the duration in seconds,
    /// 12.5, into a bigint) would fail the ledger update after the data committed.
    /// Found here, before anything is touched. `columns`: what `prepareTable` found.
    func checkColumnTypes(_ columns: [String: ColumnType]) throws {
        for (column, variable) in spec.columns {
            guard let actual = columns[column], actual.category != "S" else { continue }   // text holds anything
            let wanted = RunLedger.sqlType(of: variable)
            let fits: Bool
            switch wanted {
            case "text": fits = false
            case "timestamp": fits = actual.category == "D"
            case "boolean": fits = actual.category == "B"
            case "double precision": fits = actual.category == "N" && !["int2", "int4", "int8"].contains(actual.name)
            default: fits = actual.category == "N"
            }
            if !fits {
                throw ETLError("ledger column \(spec.table).\(column) is \(actual.name) but run variable \(variable) is \(wanted)",
                               hint: variable == "duration" ? "map duration_ms (an integer) instead, or change the column type"
                                                              : "map a run variable of the column's type, or change the column type")
            }
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

    struct RunningRow { var id: Int64; var ageSeconds: Double; var runID: String?; var startedAt: String; var hasPipeline: Bool }

    /// Runs of this pipeline still marked running (rows without a pipeline name count too: older tools wrote them).
    func runningRows() throws -> [RunningRow] {
        let r = try connection.execute("""
            SELECT id, EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC' - started_at))::float8 AS age, run_id,
                   to_char(started_at, 'YYYY-MM-DD HH24:MI:SS') || ' UTC' AS started, pipeline IS NOT NULL AS has_pipeline
            FROM \(table) WHERE status = 'running' AND (pipeline IS NULL OR pipeline = $1) ORDER BY started_at
            """, [.string(pipeline)])
        return r.rows().map {
            RunningRow(id: $0["id"]?.intValue ?? 0, ageSeconds: $0["age"]?.doubleValue ?? 0, runID: $0["run_id"]?.stringValue,
                       startedAt: $0["started"]?.stringValue ?? "?", hasPipeline: $0["has_pipeline"]?.boolValue ?? false)
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
            try finish(id: id, status: .failed, error: error, variables: variables)
        } catch {
            // The original failure is what matters; it was already logged.
        }
    }

    /// The mapped columns of a row still `running` (a checkpointed run's progress).
    func progress(id: Int64, variables: Fields) throws {
        var sets = ["duration_ms = $2"]
        var params: [Value] = [.int(id), variables["duration_ms"] ?? .null]
        for (column, variable) in spec.columns {
            params.append(variables[variable] ?? .null)
            sets.append("\(PostgresConnection.quoteIdentifier(column)) = $\(params.count)")
        }
        try connection.execute("UPDATE \(table) SET \(sets.joined(separator: ", ")) WHERE id = $1 AND status = 'running'", params)
    }

    /// Finishes the row with every mapped column. If that fails, the row still leaves
    /// `running` (with the status and the reason) before the error goes on: a row left
    /// `running` would make the next run think this one is alive.
    func finish(id: Int64, status: RunStatus, error: String?, variables: Fields) throws {
        var sets = ["status = $2", "completed_at = now() AT TIME ZONE 'UTC'", "error_message = $3", "duration_ms = $4"]
        var params: [Value] = [.int(id), .string(status.rawValue), error.map { .string($0) } ?? .null,
                               variables["duration_ms"] ?? .null]
        for (column, variable) in spec.columns {
            params.append(variables[variable] ?? .null)
            sets.append("\(PostgresConnection.quoteIdentifier(column)) = $\(params.count)")
        }
        do {
            try connection.execute("UPDATE \(table) SET \(sets.joined(separator: ", ")) WHERE id = $1", params)
        } catch let failure {
            let note = "ledger columns could not be written: \(failure)"
            _ = try? connection.execute("""
                UPDATE \(table) SET status = $2, completed_at = now() AT TIME ZONE 'UTC', error_message = $3 WHERE id = $1
                """, [.int(id), .string(status.rawValue), .string(error.map { "\($0); \(note)" } ?? note)])
            throw failure
        }
    }
}
