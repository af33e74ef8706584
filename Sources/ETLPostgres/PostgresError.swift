import Foundation

/// A failure reported by PostgreSQL or libpq: what the server said (SQLSTATE,
/// message, detail, hint), which statement, and which server. The password is
/// never part of it: the endpoint is host:port/db only.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// Five-character SQLSTATE (`42P01`, `23505`, `57014` …); `08xxx` for connection failures.
    public var sqlstate: String?
    /// The server's (or libpq's) primary message.
    public var message: String
    public var detail: String?
    public var hint: String?
    /// The first 200 characters of the statement that failed.
    public var statement: String?
    /// `host:port/database` of the server.
    public var endpoint: String
    /// Where in the statement the server found the error: a 1-based character index, if it said.
    public var position: Int?

    public init(sqlstate: String?, message: String, detail: String? = nil, hint: String? = nil,
                statement: String? = nil, endpoint: String) {
        self.sqlstate = sqlstate
        self.message = message
        self.detail = detail
        self.hint = hint
        self.statement = statement.map(PostgresError.shorten)
        self.endpoint = endpoint
    }

    /// The connection could not be made or was lost (SQLSTATE class 08, or
    /// 57P01..57P03 when the server shuts down under us).
    public var isConnectionFailure: Bool {
        guard let s = sqlstate else { return false }
        return s.hasPrefix("08") || s == "57P01" || s == "57P02" || s == "57P03"
    }

    /// The statement was cancelled (by `cancel()` or `statement_timeout`).
    public var isQueryCanceled: Bool { sqlstate == "57014" }

    public var description: String {
        var s = "PostgreSQL error"
        if let sqlstate { s += " \(sqlstate)" }
        s += " (\(endpoint)): \(message)"
        if let detail, !detail.isEmpty { s += "; detail: \(detail)" }
        if let hint, !hint.isEmpty { s += "; hint: \(hint)" }
        if let statement, !statement.isEmpty { s += "; statement: \(statement)" }
        return s
    }

    static func shorten(_ sql: String) -> String {
        let flat = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        return flat.count <= 200 ? flat : String(flat.prefix(200)) + "…"
    }
}

import Foundation
