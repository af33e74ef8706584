import CLibPQ
import Foundation

/// One libpq connection. Statements run with bound text parameters only;
/// results come back as the server's text output. Not thread-safe, except
/// `cancel()`, which another thread (timeout, SIGTERM) may call at any time.
/// Every failure is a `PostgresError`: a lost connection never crashes.
public final class PostgresConnection: @unchecked Sendable {
    /// `host:port/database`: what messages name instead of the URL (which may hold a password).
    public let endpoint: String
    /// Receives each NOTICE/WARNING the server sends; without it they are dropped
    /// (libpq would print them to stderr, and cron runs stay quiet on success).
    public var onNotice: ((String) -> Void)?

    private var connection: OpaquePointer?
    /// The COPY left open by `copyInKeepingOpen`, ended before any other statement.
    var openCopy: (sql: String, writer: CopyWriter)?
    private let cancelLock = NSLock()
    private var cancelHandle: OpaquePointer?

    /// Connects to `url`, a libpq URI (`postgresql://user:pw@host:port/db?sslmode=…`)
    /// or keyword string (`host=… dbname=…`). The session runs in UTC with ISO
    /// dates and UTF-8, which the value conversions rely on.
    public init(url: String, connectTimeout: Int = 10, applicationName: String = "etl") throws {
        let target = ConnectionTarget(parsing: url)
        // Keywords before `dbname` are defaults the URL may override.
        let keywords = ["connect_timeout", "fallback_application_name", "dbname"]
        let values = [String(connectTimeout), applicationName, url]
        let conn = PostgresConnection.withCStrings(keywords) { k in
            PostgresConnection.withCStrings(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            let reason = conn.map { PostgresConnection.flatten(String(cString: PQerrorMessage($0))) } ?? "out of memory"
            if let conn { PQfinish(conn) }
            throw PostgresError(sqlstate: "08001", message: "could not connect: \(reason)",
                                hint: "check that the server is running and that the URL's host, port, database, user and password are right",
                                endpoint: target.endpoint)
        }
        endpoint = PostgresConnection.describe(conn) ?? target.endpoint
        connection = conn
        cancelHandle = PQgetCancel(conn)
        PQsetNoticeProcessor(conn, { context, message in
            guard let context, let message else { return }
            let me = Unmanaged<PostgresConnection>.fromOpaque(context).takeUnretainedValue()
            guard let onNotice = me.onNotice else { return }   // setup SQL's "already exists" notices cost nothing
            onNotice(String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines))
        }, Unmanaged.passUnretained(self).toOpaque())
        // One round trip for the three settings (PQsetClientEncoding would be one more):
        // libpq learns the new client encoding from the server's ParameterStatus reply.
        do {
            try simpleExecute("SET client_encoding TO 'UTF8'; SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'")
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Closes the connection; later calls throw. Safe to call twice.
    public func close() {
        openCopy = nil
        cancelLock.lock()
        if let handle = cancelHandle { PQfreeCancel(handle) }
        cancelHandle = nil
        cancelLock.unlock()
        if let conn = connection { PQfinish(conn) }
        connection = nil
    }

    public var isOpen: Bool { connection.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// `PQserverVersion`: 150004 for 15.4; 0 when closed.
    public var serverVersion: Int { connection.map { Int(PQserverVersion($0)) } ?? 0 }

    /// True when a round trip to the server works.
    public func ping() -> Bool { (try? execute("SELECT 1")) != nil }

    /// Runs one statement with `$1…$n` bound to `parameters` (text; nil as NULL).
    @discardableResult
    public func execute(_ sql: String, parameters: PostgresParameters = PostgresParameters()) throws -> PostgresResult {
        let conn = try liveConnection(sql)
        if let position = parameters.firstWithNUL {
            throw PostgresError(sqlstate: "22021", message: "parameter $\(position) contains a NUL byte, which PostgreSQL text cannot hold",
                                statement: sql, endpoint: endpoint)
        }
        let result: OpaquePointer? = parameters.bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            let pointers: [UnsafePointer<CChar>?] = parameters.offsets.map { offset in offset.flatMap { o in base.map { $0 + o } } }
            return PQexecParams(conn, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
        }
        return try check(result, sql)
    }

    /// Runs a script of several `;`-separated statements (no parameters), as
    /// setup SQL files are. Returns the last statement's result.
    @discardableResult
    public func simpleExecute(_ sql: String) throws -> PostgresResult {
        let conn = try liveConnection(sql)
        return try check(PQexec(conn, sql), sql)
    }

    /// Asks the server to cancel the statement running on this connection; the
    /// statement then fails with SQLSTATE 57014. Callable from any thread.
    @discardableResult
    public func cancel() -> Bool {
        cancelLock.lock(); defer { cancelLock.unlock() }
        guard let handle = cancelHandle else { return false }
        var errorBuffer = [CChar](repeating: 0, count: 256)
        return PQcancel(handle, &errorBuffer, Int32(errorBuffer.count)) == 1
    }

    /// Inside BEGIN … COMMIT (including a failed transaction awaiting ROLLBACK).
    public var isInTransaction: Bool {
        guard let conn = connection else { return false }
        let status = PQtransactionStatus(conn)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    // MARK: - Internals shared with COPY and transactions

    /// The connection, ready for `sql`: a COPY left open is ended first (its
    /// error, if it failed, is this call's).
    func liveConnection(_ sql: String) throws -> OpaquePointer {
        if openCopy != nil { try endCopy() }
        return try copyConnection(sql)
    }

    /// The connection as it is, mid-COPY included.
    func copyConnection(_ sql: String) throws -> OpaquePointer {
        guard let conn = connection else {
            throw PostgresError(sqlstate: "08003", message: "the connection is closed", statement: sql, endpoint: endpoint)
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            throw PostgresError(sqlstate: "08006", message: "the connection was lost: \(lastMessage(conn))",
                                statement: sql, endpoint: endpoint)
        }
        return conn
    }

    /// Turns a libpq result into a `PostgresResult` or the error it carries.
    func check(_ result: OpaquePointer?, _ sql: String) throws -> PostgresResult {
        guard let result else { throw connectionError(sql) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            PQclear(result)
            abandonCopy(reason: "COPY is only supported through copyIn")
            throw PostgresError(sqlstate: "0A000", message: "COPY cannot run through execute",
                                hint: "use copyIn(\"COPY … FROM STDIN\") to load rows", statement: sql, endpoint: endpoint)
        default:
            let error = self.error(from: result, sql)
            PQclear(result)
            throw error
        }
    }

    func error(from result: OpaquePointer, _ sql: String) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue ?? 0)) else { return nil }
            return String(cString: value)
        }
        let message = field("M") ?? connection.map { lastMessage($0) } ?? "unknown error"
        var sqlstate = field("C")
        if sqlstate == nil, let conn = connection, PQstatus(conn) != CONNECTION_OK { sqlstate = "08006" }
        var error = PostgresError(sqlstate: sqlstate, message: PostgresConnection.flatten(message), detail: field("D"),
                                  hint: field("H"), statement: sql, endpoint: endpoint)
        error.position = field("P").flatMap { Int($0) }
        return error
    }

    /// The error of a call that returned no result at all (connection trouble).
    func connectionError(_ sql: String) -> PostgresError {
        let message = connection.map { lastMessage($0) } ?? "the connection is closed"
        let bad = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
        return PostgresError(sqlstate: bad ? "08006" : nil, message: message, statement: sql, endpoint: endpoint)
    }

    func putCopyData(_ chunk: UnsafeBufferPointer<CChar>) throws {
        let conn = try copyConnection("COPY")
        guard PQputCopyData(conn, chunk.baseAddress, Int32(chunk.count)) == 1 else { throw connectionError("COPY") }
    }

    /// Leaves any COPY the server started and reads every pending result, so
    /// the connection is ready for the next statement.
    func abandonCopy(reason: String) {
        guard let conn = connection else { return }
        for _ in 0..<1000 {   // bounded: a broken connection must not spin forever
            guard let result = PQgetResult(conn) else { return }
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_COPY_IN {
                if PQputCopyEnd(conn, reason) != 1 { return }
            } else if status == PGRES_COPY_OUT {
                var buffer: UnsafeMutablePointer<CChar>?
                while PQgetCopyData(conn, &buffer, 0) > 0 { PQfreemem(buffer) }
            } else if status == PGRES_COPY_BOTH {
                return
            }
        }
    }

    private func lastMessage(_ conn: OpaquePointer) -> String {
        let message = PostgresConnection.flatten(String(cString: PQerrorMessage(conn)))
        return message.isEmpty ? "no reason given" : message
    }

    /// libpq messages span lines with tab indents; errors and logs want one line.
    static func flatten(_ text: String) -> String {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\t" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    private static func describe(_ conn: OpaquePointer) -> String? {
        guard let host = PQhost(conn), let port = PQport(conn), let db = PQdb(conn) else { return nil }
        return "\(String(cString: host)):\(String(cString: port))/\(String(cString: db))"
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } } + [nil])
    }
}
