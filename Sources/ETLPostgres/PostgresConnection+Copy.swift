import CLibPQ

extension PostgresConnection {
    /// Runs `COPY table (columns) FROM STDIN` and streams the rows `rows` writes.
    /// Returns the number of rows the server copied. If `rows` throws, the COPY
    /// is aborted (nothing is loaded) and the error is rethrown.
    @discardableResult
    public func copyIn(_ sql: String, rows: (CopyWriter) throws -> Void) throws -> Int {
        let conn = try liveConnection(sql)
        guard let started = PQexec(conn, sql) else { throw connectionError(sql) }
        let status = PQresultStatus(started)
        guard status == PGRES_COPY_IN else {
            if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY
                || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH {
                PQclear(started)
                abandonCopy(reason: "not a COPY FROM STDIN")
                throw PostgresError(sqlstate: "0A000", message: "copyIn needs a COPY … FROM STDIN statement",
                                    statement: sql, endpoint: endpoint)
            }
            let error = self.error(from: started, sql)
            PQclear(started)
            throw error
        }
        PQclear(started)

        let writer = CopyWriter(connection: self)
        do {
            try rows(writer)
            try writer.flush()
        } catch {
            // Ending with an error message makes the server discard the whole COPY.
            if PQputCopyEnd(conn, "aborted by the client") == 1 { abandonCopy(reason: "aborted by the client") }
            throw error
        }
        guard PQputCopyEnd(conn, nil) == 1 else { throw connectionError(sql) }

        var copied = writer.rowCount
        var failure: PostgresError?
        results: for _ in 0..<1000 {   // bounded: a broken connection must not spin forever
            guard let result = PQgetResult(conn) else { break }
            let status = PQresultStatus(result)
            switch status {
            case PGRES_COMMAND_OK:
                copied = Int(String(cString: PQcmdTuples(result))) ?? copied
            case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                // Still copying after the end was sent: the connection broke mid-way.
                PQclear(result)
                if failure == nil { failure = connectionError(sql) }
                break results
            default:
                if failure == nil { failure = error(from: result, sql) }
            }
            PQclear(result)
        }
        if let failure { throw failure }
        return copied
    }
}
