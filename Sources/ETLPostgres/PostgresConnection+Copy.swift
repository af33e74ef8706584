import CLibPQ

extension PostgresConnection {
    /// Runs `COPY table (columns) FROM STDIN` and streams the rows `rows` writes.
    /// Returns the number of rows the server copied. If `rows` throws, the COPY
    /// is aborted (nothing is loaded) and the error is rethrown.
    @discardableResult
    public func copyIn(_ sql: String, rows: (CopyWriter) throws -> Void) throws -> Int {
        let writer = try startCopy(sql)
        do {
            try rows(writer)
            try writer.flush()
        } catch {
            abortCopy(writer, sql)
            throw error
        }
        return try finishCopy(writer, sql)
    }

    /// Streams rows into a `COPY … FROM STDIN` that stays open across calls, so the
    /// server loads one batch (in its own process, on another core) while the caller
    /// prepares the next, and pays the COPY's start and end once. The first call
    /// starts it; a call with another statement, `endCopy()` or any other statement
    /// on the connection ends it first. If `rows` throws, the whole COPY is aborted
    /// (nothing of it is loaded, earlier calls' rows included) and the error rethrown.
    public func copyInKeepingOpen(_ sql: String, rows: (CopyWriter) throws -> Void) throws {
        if let open = openCopy, open.sql != sql { try endCopy() }
        let writer: CopyWriter
        if let open = openCopy {
            writer = open.writer
        } else {
            writer = try startCopy(sql)
            openCopy = (sql, writer)
        }
        do {
            try rows(writer)
            // Sent now: the server works on it while the caller builds the next batch.
            try writer.flush()
        } catch {
            openCopy = nil
            abortCopy(writer, sql)
            throw error
        }
    }

    /// Ends the COPY `copyInKeepingOpen` left open; returns the rows the server
    /// copied (0 when none was open). Its failure (a value the column refused)
    /// is thrown here.
    @discardableResult
    public func endCopy() throws -> Int {
        guard let open = openCopy else { return 0 }
        openCopy = nil
        return try finishCopy(open.writer, open.sql)
    }

    /// Abandons the COPY `copyInKeepingOpen` left open: the server discards all of it.
    public func abortOpenCopy() {
        guard let open = openCopy else { return }
        openCopy = nil
        abortCopy(open.writer, open.sql)
    }

    private func startCopy(_ sql: String) throws -> CopyWriter {
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
        return CopyWriter(connection: self)
    }

    private func abortCopy(_ writer: CopyWriter, _ sql: String) {
        // Ending with an error message makes the server discard the whole COPY.
        guard let conn = try? copyConnection(sql) else { return }
        if PQputCopyEnd(conn, "aborted by the client") == 1 { abandonCopy(reason: "aborted by the client") }
    }

    private func finishCopy(_ writer: CopyWriter, _ sql: String) throws -> Int {
        try writer.flush()
        let conn = try copyConnection(sql)
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
