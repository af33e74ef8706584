import CLibPQ

/// A query's rows read `fetchSize` at a time through a server-side cursor
/// (`DECLARE … NO SCROLL CURSOR`, `FETCH n`) inside a read-only REPEATABLE READ
/// transaction: memory holds one batch whatever the table's size, and every
/// batch comes from the same snapshot.
///
/// While the caller works on one batch the next FETCH is already on its way
/// (sent asynchronously), so the server produces rows while the client decodes.
/// The connection belongs to the cursor until `close()`.
public final class PostgresCursor {
    public let fetchSize: Int
    private let connection: PostgresConnection
    private let fetchSQL: String
    private var inFlight = false
    private var exhausted = false
    private var closed = false

    static let name = "etl_source"
    static let declarePrefix = "DECLARE \(name) NO SCROLL CURSOR FOR "

    /// Starts the transaction and declares the cursor for `query` with `$1…$n`
    /// bound to `parameters`. A bad query throws the server's error, its
    /// `position` counted in `query` (not in the DECLARE around it).
    public init(connection: PostgresConnection, query: String, parameters: PostgresParameters, fetchSize: Int) throws {
        self.connection = connection
        self.fetchSize = max(1, fetchSize)
        fetchSQL = "FETCH FORWARD \(self.fetchSize) FROM \(Self.name)"
        try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        do {
            // Every row is read, so plan for the whole result rather than the first 10% (the cursor default).
            try connection.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            try connection.execute(Self.declarePrefix + query, parameters: parameters)
        } catch var error as PostgresError {
            try? connection.rollback()
            error.position = error.position.flatMap { p in
                let offset = Self.declarePrefix.unicodeScalars.count
                return p > offset ? p - offset : nil
            }
            error.statement = PostgresError.shorten(query)
            throw error
        } catch {
            try? connection.rollback()
            throw error
        }
    }

    /// The next batch of rows; nil once the cursor is exhausted.
    public func next() throws -> PostgresResult? {
        guard !exhausted, !closed else { return nil }
        if !inFlight { try send() }
        let result = try receive()
        if result.rowCount < fetchSize {
            exhausted = true
        } else {
            try send()   // prefetch: the server fills the socket while this batch is processed
        }
        return result.rowCount == 0 ? nil : result
    }

    /// Ends the transaction (nothing was written, so it is rolled back).
    /// A FETCH still on its way is cancelled first. Safe to call twice.
    public func close() {
        guard !closed else { return }
        closed = true
        if inFlight {
            connection.cancel()
            _ = try? receive()
        }
        if connection.isInTransaction { try? connection.rollback() }
    }

    deinit { close() }

    private func send() throws {
        let conn = try connection.liveConnection(fetchSQL)
        guard PQsendQuery(conn, fetchSQL) == 1 else { throw connection.connectionError(fetchSQL) }
        inFlight = true
    }

    /// Reads every result of the FETCH in flight; the rows, or the first error.
    private func receive() throws -> PostgresResult {
        let conn = try connection.liveConnection(fetchSQL)
        var rows: PostgresResult?
        var failure: Error?
        for _ in 0..<1000 {   // bounded: a broken connection must not spin forever
            guard let result = PQgetResult(conn) else { break }
            do { rows = try connection.check(result, fetchSQL) } catch { if failure == nil { failure = error } }
        }
        inFlight = false
        if let failure { throw failure }
        guard let rows else { throw connection.connectionError(fetchSQL) }
        return rows
    }
}
