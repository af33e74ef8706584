import ETLCore
import ETLConnectors
import ETLPostgres

/// Per-pipeline state between runs (incremental cursors) in `etl_state`, next
/// to the ledger. Written only after the sinks committed.
struct StateStore {
    let connection: PostgresConnection
    let pipeline: String

    func prepareTable() throws {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS etl_state (
              pipeline TEXT NOT NULL, key TEXT NOT NULL, value TEXT, updated_at TIMESTAMP NOT NULL DEFAULT now(),
              PRIMARY KEY (pipeline, key))
            """)
    }

    func load() throws -> Fields {
        var out = Fields()
        for row in try connection.execute("SELECT key, value FROM etl_state WHERE pipeline = $1 ORDER BY key", [.string(pipeline)]).rows() {
            guard let key = row["key"]?.stringValue else { continue }
            let text = row["value"]?.stringValue ?? ""
            out[key] = (try? JSONStreamReader.parse(Array(text.utf8))) ?? .string(text)
        }
        return out
    }

    func save(_ state: Fields) throws {
        for (key, value) in state {
            try connection.execute("""
                INSERT INTO etl_state (pipeline, key, value, updated_at) VALUES ($1, $2, $3, now())
                ON CONFLICT (pipeline, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
                """, [.string(pipeline), .string(key), .string(JSONWriter.string(value))])
        }
    }
}
