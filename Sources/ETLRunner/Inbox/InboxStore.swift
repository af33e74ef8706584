import Foundation
import ETLCore
import ETLConnectors
import ETLPostgres

/// One stored webhook request.
public struct InboxEvent {
    public var id: Int64
    public var body: [UInt8]
    /// Lower-cased header names → values (verification headers left out).
    public var headers: Fields
    /// ISO-8601 UTC.
    public var receivedAt: String
    public var attempts: Int
}

/// The `etl_inbox` table in a webhook pipeline's database: every verified
/// request, stored before it is acknowledged, until it is processed (`done`),
/// refused by validation (`rejected`) or given up on (`dead`).
public struct InboxStore {
    public let pipeline: String
    public init(pipeline: String) { self.pipeline = pipeline }

    public static let createSQL = """
        CREATE TABLE IF NOT EXISTS etl_inbox (
          id BIGSERIAL PRIMARY KEY,
          pipeline TEXT NOT NULL,
          idempotency_key TEXT NOT NULL,
          status TEXT NOT NULL DEFAULT 'pending',
          received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
          body BYTEA NOT NULL,
          headers JSONB NOT NULL DEFAULT '{}',
          attempts INT NOT NULL DEFAULT 0,
          next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
          last_error TEXT,
          processed_at TIMESTAMPTZ,
          response_status INT,
          response_body TEXT,
          UNIQUE (pipeline, idempotency_key));
        CREATE INDEX IF NOT EXISTS etl_inbox_pending ON etl_inbox (pipeline, id) WHERE status = 'pending';
        """

    /// `received_at` as the records see it.
    static let receivedAtText = "to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

    /// Stores a request unless its key is already there; the new id, or nil for a duplicate.
    /// Outside a transaction the statement commits on its own before it returns.
    public func insert(_ c: PostgresConnection, key: String, body: [UInt8], headers: Fields,
                       status: String = "pending") throws -> Int64? {
        var params = PostgresParameters()
        params.append(pipeline)
        params.append(key)
        params.append { Self.appendHex(body, to: &$0) }
        params.append { JSONWriter.write(.object(headers), into: &$0) }
        params.append(status)
        let r = try c.execute("""
            INSERT INTO etl_inbox (pipeline, idempotency_key, body, headers, status) VALUES ($1, $2, $3::bytea, $4::jsonb, $5)
            ON CONFLICT (pipeline, idempotency_key) DO NOTHING RETURNING id
            """, parameters: params)
        return r.rowCount == 0 ? nil : r.value(row: 0, column: 0).intValue
    }

    /// What an earlier delivery with this key left: its status and, for on_commit, its answer.
    public func stored(_ c: PostgresConnection, key: String) throws -> (id: Int64, status: String, responseStatus: Int?, responseBody: String?)? {
        let r = try c.execute("""
            SELECT id, status, response_status, response_body FROM etl_inbox WHERE pipeline = $1 AND idempotency_key = $2
            """, [.string(pipeline), .string(key)])
        guard r.rowCount > 0 else { return nil }
        return (r.value(row: 0, column: 0).intValue ?? 0, r.value(row: 0, column: 1).stringValue ?? "",
                r.value(row: 0, column: 2).intValue.map { Int($0) }, r.value(row: 0, column: 3).stringValue)
    }

    /// Locks up to `limit` ready events, oldest first, skipping those another worker holds.
    /// Called inside the transaction that processes them.
    func claim(_ c: PostgresConnection, limit: Int, id: Int64? = nil) throws -> [InboxEvent] {
        let filter = id == nil ? "" : " AND id = $3"
        var params: [Value] = [.string(pipeline), .int(Int64(limit))]
        if let id { params.append(.int(id)) }
        let r = try c.execute("""
            SELECT id, body, headers::text, \(Self.receivedAtText), attempts FROM etl_inbox
            WHERE pipeline = $1 AND status = 'pending' AND next_attempt_at <= now()\(filter)
            ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
            """, params)
        return try (0..<r.rowCount).map { row in
            InboxEvent(id: r.value(row: row, column: 0).intValue ?? 0, body: Self.decodeHex(r.text(row: row, column: 1) ?? ""),
                       headers: try Self.parseObject(r.text(row: row, column: 2) ?? "{}"),
                       receivedAt: r.text(row: row, column: 3) ?? "", attempts: Int(r.value(row: row, column: 4).intValue ?? 0))
        }
    }

    /// Processed: `done`, or `rejected` when validation refused every record of the event.
    func markProcessed(_ c: PostgresConnection, done: [Int64], rejected: [Int64], response: (status: Int, body: String)? = nil) throws {
        if !done.isEmpty {
            try c.execute("""
                UPDATE etl_inbox SET status = 'done', processed_at = now(), attempts = attempts + 1, last_error = NULL,
                  response_status = $2, response_body = $3 WHERE id = ANY($1)
                """, [.array(done.map { .int($0) }), response.map { .int(Int64($0.status)) } ?? .null, response.map { .string($0.body) } ?? .null])
        }
        if !rejected.isEmpty {
            try c.execute("""
                UPDATE etl_inbox SET status = 'rejected', processed_at = now(), attempts = attempts + 1 WHERE id = ANY($1)
                """, [.array(rejected.map { .int($0) })])
        }
    }

    /// A failed attempt: back to pending with an exponential backoff, or `dead` at `maxAttempts`.
    /// Returns whether the event is now dead.
    func recordFailure(_ c: PostgresConnection, id: Int64, error: String, maxAttempts: Int, backoffBase: Double) throws -> Bool {
        let r = try c.execute("""
            UPDATE etl_inbox SET attempts = attempts + 1, last_error = $2,
              status = CASE WHEN attempts + 1 >= $3 THEN 'dead' ELSE 'pending' END,
              next_attempt_at = now() + make_interval(secs => least(300, $4 * power(2, attempts)))
            WHERE id = $1 AND status = 'pending' RETURNING status
            """, [.int(id), .string(error), .int(Int64(maxAttempts)), .double(backoffBase)])
        return r.rowCount > 0 && r.value(row: 0, column: 0).stringValue == "dead"
    }

    /// Pending events and the age of the oldest, for `/metrics`.
    public func depth(_ c: PostgresConnection) throws -> (pending: Int, oldestAge: Double) {
        let r = try c.execute("""
            SELECT count(*), coalesce(EXTRACT(EPOCH FROM now() - min(received_at)), 0)::float8 FROM etl_inbox
            WHERE pipeline = $1 AND status = 'pending'
            """, [.string(pipeline)])
        return (Int(r.value(row: 0, column: 0).intValue ?? 0), r.value(row: 0, column: 1).doubleValue ?? 0)
    }

    // MARK: operator commands

    public func list(_ c: PostgresConnection, status: String?, limit: Int) throws -> [Fields] {
        var params: [Value] = [.string(pipeline), .int(Int64(limit))]
        var filter = ""
        if let status { params.append(.string(status)); filter = " AND status = $3" }
        return try c.execute("""
            SELECT id, status, attempts, \(Self.receivedAtText) AS received_at, idempotency_key, last_error FROM etl_inbox
            WHERE pipeline = $1\(filter) ORDER BY id DESC LIMIT $2
            """, params).rows()
    }

    public func show(_ c: PostgresConnection, id: Int64) throws -> (fields: Fields, body: [UInt8])? {
        let r = try c.execute("""
            SELECT id, status, attempts, \(Self.receivedAtText) AS received_at, idempotency_key, last_error, headers::text AS headers,
                   response_status, response_body, body FROM etl_inbox WHERE pipeline = $1 AND id = $2
            """, [.string(pipeline), .int(id)])
        guard r.rowCount > 0 else { return nil }
        var fields = r.fields(row: 0)
        fields["body"] = nil
        return (fields, Self.decodeHex(r.text(row: 0, column: 9) ?? ""))
    }

    /// Back to pending with attempts 0; returns how many events moved.
    public func retry(_ c: PostgresConnection, id: Int64?, status: String?) throws -> Int {
        var params: [Value] = [.string(pipeline)]
        var filter: String
        if let id { params.append(.int(id)); filter = "id = $2 AND status <> 'pending'" }
        else { params.append(.string(status ?? "dead")); filter = "status = $2" }
        return try c.execute("""
            UPDATE etl_inbox SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL, processed_at = NULL
            WHERE pipeline = $1 AND \(filter)
            """, params).affectedRows
    }

    /// Deletes events (an operator's decision): a re-delivery of a dropped event is new again.
    public func drop(_ c: PostgresConnection, id: Int64?, status: String?) throws -> Int {
        var params: [Value] = [.string(pipeline)]
        var filter: String
        if let id { params.append(.int(id)); filter = "id = $2" }
        else { params.append(.string(status ?? "dead")); filter = "status = $2" }
        return try c.execute("DELETE FROM etl_inbox WHERE pipeline = $1 AND \(filter)", params).affectedRows
    }

    // MARK: encoding

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// bytea's text input form, `\x` and two hex digits a byte.
    static func appendHex(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.reserveCapacity(out.count + 2 + bytes.count * 2)
        out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "x"))
        for b in bytes { out.append(hexDigits[Int(b >> 4)]); out.append(hexDigits[Int(b & 0x0f)]) }
    }

    static func decodeHex(_ text: String) -> [UInt8] {
        var utf8 = Array(text.utf8)
        if utf8.count >= 2 && utf8[0] == UInt8(ascii: "\\") && utf8[1] == UInt8(ascii: "x") { utf8.removeFirst(2) }
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return 0
            }
        }
        var out = [UInt8](); out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i + 1 < utf8.count { out.append(nibble(utf8[i]) << 4 | nibble(utf8[i + 1])); i += 2 }
        return out
    }

    public static func parseObject(_ text: String) throws -> Fields {
        var parser = JSONDocumentParser()
        let bytes = Array(text.utf8)
        let value = try bytes.withUnsafeBufferPointer { try parser.parse($0, source: "inbox headers") }
        return value.objectValue ?? Fields()
    }
}
