import Foundation
import ETLCore
import ETLPostgres

/// Which alert keys were sent when, in `etl_alerts_sent` of a PostgreSQL database, so a
/// per-record alert's `dedupe` window holds across runs (no second page for the same SKU
/// within the hour, whichever run sees it).
final class AlertsSent {
    static let table = "etl_alerts_sent"
    private let connection: PostgresConnection
    private let pipeline: String
    private let alert: String

    init(url: String, pipeline: String, alert: String) throws {
        do { connection = try PostgresConnection(url: url) } catch let e as PostgresError { throw e.etlError }
        self.pipeline = pipeline; self.alert = alert
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS \(Self.table) (
              pipeline TEXT NOT NULL,
              alert TEXT NOT NULL,
              key TEXT NOT NULL,
              sent_at TIMESTAMPTZ NOT NULL DEFAULT now(),
              PRIMARY KEY (pipeline, alert, key))
            """, [])
    }

    /// The keys among `keys` sent less than `window` seconds ago.
    func recent(_ keys: [String], window: Double) throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        let r = try connection.execute("""
            SELECT key FROM \(Self.table)
            WHERE pipeline = $1 AND alert = $2 AND key = ANY($3) AND sent_at > now() - make_interval(secs => $4)
            """, [.string(pipeline), .string(alert), .array(keys.map(Value.string)), .double(window)])
        return Set(r.rows().compactMap { $0["key"]?.stringValue })
    }

    func markSent(_ key: String) throws {
        try connection.execute("""
            INSERT INTO \(Self.table) (pipeline, alert, key, sent_at) VALUES ($1, $2, $3, now())
            ON CONFLICT (pipeline, alert, key) DO UPDATE SET sent_at = EXCLUDED.sent_at
            """, [.string(pipeline), .string(alert), .string(key)])
    }

    func close() { connection.close() }
}
