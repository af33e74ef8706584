import Foundation
import ETLCore
import ETLPostgres

/// Reads rows from PostgreSQL — a query with named parameters, or a table's
/// columns — streamed through a server-side cursor, optionally incrementally.
public final class PostgresSource: SourceConnector {
    static let database = OptionKey<String>("database", .secret, required: true, doc: "libpq URI or keyword string of the database to read.", example: "${SOURCE_DATABASE_URL}")
    static let query = OptionKey<String?>("query", doc: "SELECT to run. `:name` parameters are bound (never spliced into the SQL) from `vars` and, with `incremental`, `:cursor` / `:cursor_tie_breaker` from the saved cursor. Give `query` or `table`.", example: "SELECT id, sku, qty FROM stock WHERE warehouse = :warehouse")
    static let table = OptionKey<String?>("table", doc: "Table (or view) to read, `schema.table` allowed. Give `query` or `table`.", example: "public.orders")
    static let columns = OptionKey<[String]?>("columns", doc: "With `table`: the columns to read, in this order (default: all).", example: "[id, status, total, updated_at]")
    static let whereCondition = OptionKey<String?>("where", doc: "With `table`: SQL condition rows must meet; may use `:name` parameters.", example: "status <> 'draft' AND region = :region")
    static let fetchSize = OptionKey<Int?>("fetch_size", doc: "Rows per FETCH from the server-side cursor, and so per batch handed on (default: the pipeline's `batch_size`). Memory holds a few batches of this size.", example: "10000")
    static let incremental = OptionKey<Options?>("incremental", PostgresIncremental.options, doc: "Read only rows past the last successful run's cursor, in `(column, tie_breaker)` order; the last pair read is saved (table etl_state) after the sinks commit. Rows whose `column` or `tie_breaker` is NULL are never read. Guarantee: every row whose pair is greater than the saved one when a run starts is read exactly once — so the pair must only grow when a row changes (`updated_at` set by a trigger, a sequence). A row committed later with a smaller pair (a long transaction whose `now()` is older than rows already read) is missed: read with a margin (`where: updated_at < now() - interval '1 minute'`) if writers hold transactions open.")

    public static let spec = ConnectorSpec(
        kind: .source, name: "postgres",
        summary: "Read rows from PostgreSQL (a query or a table), streamed in batches, optionally incremental.",
        description: """
        Rows are read through a server-side cursor (`DECLARE … NO SCROLL CURSOR`, `FETCH fetch_size`) in one \
        read-only REPEATABLE READ transaction: every batch comes from the same snapshot, the next batch is decoded on a second thread while the sinks write this one, and memory holds a few batches, \
        whatever the table's size. Types map without loss: smallint/integer/bigint → int, numeric → decimal, \
        real/double → double, boolean → bool, timestamp and timestamptz → timestamp (UTC, microseconds), \
        json/jsonb → object or array, arrays of those → array, date → `YYYY-MM-DD` text, text/varchar/uuid and \
        every other type → its text, NULL → null. Record positions count rows from the first one read. \
        `etl validate --check-connections` prepares the statement: a bad query is reported with its line and column.
        """,
        options: [database, query, table, columns, whereCondition, fetchSize, incremental],
        example: """
        vars: {region: "'EU'"}          # vars are expressions: a quoted string
        source:
          type: postgres
          database: ${SOURCE_DATABASE_URL}
          query: |
            SELECT o.id, o.total, o.updated_at, c.email
            FROM orders o JOIN customers c ON c.id = o.customer_id
            WHERE c.region = :region
          incremental: {column: updated_at, tie_breaker: id, initial: "2024-01-01 00:00:00+00"}

        # a table's columns
        source:
          type: postgres
          database: ${SOURCE_DATABASE_URL}
          table: public.products
          columns: [id, sku, price]
          where: "discontinued = false"
          fetch_size: 5000
        """)

    let url: String
    let options: Options
    /// The base query: `query` as written, or built from `table`, `columns` and `where`.
    let base: [(option: String, sql: NamedParameterSQL?, generated: String?)]
    let incrementalRead: PostgresIncremental?
    let fetchSizeOption: Int?

    public init(options: Options, context: BuildContext) throws {
        self.options = options
        url = options[Self.database]
        incrementalRead = try options[Self.incremental].map(PostgresIncremental.init)
        fetchSizeOption = options[Self.fetchSize]
        if let size = fetchSizeOption, size < 1 { throw options.error(Self.fetchSize, "fetch_size must be at least 1") }

        switch (options[Self.query], options[Self.table]) {
        case (let query?, nil):
            for key in [Self.columns.name, Self.whereCondition.name] where options.has(key) {
                throw options.error(key, "`\(key)` goes with `table`; with `query`, write it in the query")
            }
            base = [(Self.query.name, try Self.parse(Self.trimmed(query), Self.query.name, options), nil)]
        case (nil, let table?):
            if table.isEmpty { throw options.error(Self.table, "table must name a table") }
            let columns = options[Self.columns]
            if let columns, columns.isEmpty { throw options.error(Self.columns, "columns must list at least one column (leave it out for all)") }
            if let columns, let incremental = incrementalRead {
                for name in incremental.columns where !columns.contains(name) {
                    throw options.error(Self.columns, "columns must include \(name), which incremental orders rows by")
                }
            }
            let list = columns.map { $0.map(PostgresConnection.quoteIdentifierPart).joined(separator: ", ") } ?? "*"
            var parts: [(String, NamedParameterSQL?, String?)] = [("", nil, "SELECT \(list) FROM \(PostgresConnection.quoteIdentifier(table))")]
            if let condition = options[Self.whereCondition], !condition.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                parts.append(("", nil, " WHERE ("))
                parts.append((Self.whereCondition.name, try Self.parse(condition, Self.whereCondition.name, options), nil))
                parts.append(("", nil, ")"))
            }
            base = parts
        case (nil, nil):
            throw ETLError("the postgres source needs `query` or `table`", hint: "write `query: SELECT …` or `table: schema.table`")
        case (_?, _?):
            throw options.error(Self.table, "give `query` or `table`, not both")
        }

        // Every parameter must have a value: a var, or the incremental cursor.
        if let varNames = context.varNames {
            let known = varNames.union(incrementalRead == nil ? [] : [PostgresIncremental.cursorKey, PostgresIncremental.tieBreakerKey])
            for part in base {
                guard let sql = part.sql else { continue }
                for reference in sql.references where !known.contains(reference.name) {
                    throw Self.unknownParameter(reference.name, at: reference.offset, in: part.option, options)
                }
            }
        }
    }

    /// A query option without the trailing `;` and blanks DECLARE does not take.
    static func trimmed(_ sql: String) -> String {
        var s = sql
        while let last = s.unicodeScalars.last, last == ";" || CharacterSet.whitespacesAndNewlines.contains(last) {
            s.unicodeScalars.removeLast()
        }
        return s
    }

    static func parse(_ sql: String, _ option: String, _ options: Options) throws -> NamedParameterSQL {
        do { return try NamedParameterSQL(sql) } catch let e as NamedParameterSQL.PositionalParameter {
            let (line, column) = SourceStatement.lineAndColumn(of: e.offset, in: sql)
            throw options.error(option, "`\(option)` line \(line), column \(column): `$n` placeholders are not supported",
                                hint: "name the parameter (`:since`) and declare it under vars:; the connector binds it as $n")
        }
    }

    static func unknownParameter(_ name: String, at offset: Int, in option: String, _ options: Options) -> ETLError {
        let (line, column) = SourceStatement.lineAndColumn(of: offset, in: options.string(option) ?? "")
        return options.error(option, "`\(option)` line \(line), column \(column): parameter :\(name) has no value",
                             hint: "declare it under vars: (vars: {\(name): …}), or set it with --set vars.\(name)=…; write ::\(name) for a cast")
    }

    /// The statement for this run: the base query, wrapped with the incremental
    /// condition and order when there is one.
    func statement(start: PostgresIncremental.Start?) -> SourceStatement {
        var statement = SourceStatement()
        let wrapped = incrementalRead != nil && start != nil
        if wrapped { statement.append("SELECT * FROM (\n") }
        for part in base {
            if let sql = part.sql { statement.append(sql, option: part.option) }
            if let generated = part.generated { statement.append(generated) }
        }
        if wrapped, let incremental = incrementalRead, let start {
            statement.append("\n) AS etl_rows")
            incremental.appendCondition(to: &statement, start: start, alias: "etl_rows")
        }
        return statement
    }

    /// The values of the statement's parameters, as PostgreSQL text: vars first, then the cursor.
    func parameters(for statement: SourceStatement, vars: Fields, cursor: Fields) throws -> PostgresParameters {
        var parameters = PostgresParameters()
        for name in statement.parameterNames {
            guard let value = vars[name] ?? cursor[name] else {
                let reference = base.lazy.compactMap { part in part.sql?.references.first { $0.name == name }.map { (part.option, $0.offset) } }.first
                throw Self.unknownParameter(name, at: reference?.1 ?? 0, in: reference?.0 ?? Self.query.name, options)
            }
            if value.isNull { parameters.appendNull() } else { parameters.append { PostgresTextEncoder.append(value, to: &$0) } }
        }
        return parameters
    }

    /// Connects and prepares the query (nothing runs): a bad query fails with its
    /// line and column; incremental columns missing from the result are named
    /// against the columns the query does return.
    public func checkConnection() throws {
        let connection: PostgresConnection
        do { connection = try PostgresConnection(url: url) } catch let e as PostgresError { throw e.etlError }
        defer { connection.close() }
        let base = statement(start: nil)
        let columns: [String]
        do { columns = try connection.describe(base.sql).columns } catch let e as PostgresError { throw queryError(e, base) }
        guard let incremental = incrementalRead else { return }
        for name in incremental.columns where !columns.contains(name) {
            throw options.error(Self.incremental.name, "incremental orders rows by \(name), which the query does not return (it returns \(columns.joined(separator: ", ")))",
                                hint: "select \(name) in the query, or name one of its columns")
        }
        let full = statement(start: .after("", tieBreaker: ""))
        do { _ = try connection.describe(full.sql) } catch let e as PostgresError { throw queryError(e, full) }
    }

    /// The result's columns and their type names, from PREPARE + describe: nothing is run.
    public func describeColumns() throws -> [(name: String, type: String)] {
        let connection: PostgresConnection
        do { connection = try PostgresConnection(url: url) } catch let e as PostgresError { throw e.etlError }
        defer { connection.close() }
        let statement = self.statement(start: nil)
        do {
            let description = try connection.describe(statement.sql)
            let names = try connection.execute("SELECT format_type(t::oid, NULL) FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n",
                                               [.array(description.columnTypes.map { .string(String($0)) })])
            return description.columns.enumerated().map { ($0.element, names.text(row: $0.offset, column: 0) ?? "?") }
        } catch let e as PostgresError {
            throw queryError(e, statement)
        }
    }

    /// The server's error, pointed at the line and column of the option where it was written.
    func queryError(_ error: PostgresError, _ statement: SourceStatement) -> ETLError {
        var plain = error
        plain.hint = nil
        var hint = error.hint
        if let position = error.position, let (option, offset) = statement.locate(position) {
            let text = options.string(option) ?? ""
            let (line, column) = SourceStatement.lineAndColumn(of: offset, in: text)
            let lineText = text.split(separator: "\n", omittingEmptySubsequences: false)
            let shown = line <= lineText.count ? lineText[line - 1].trimmingCharacters(in: .whitespaces) : ""
            return options.error(option, "`\(option)` line \(line), column \(column): \(plain.description)"
                                 + (shown.isEmpty ? "" : " — at: \(shown)"), hint: hint)
        }
        if error.sqlstate == "42703", let incremental = incrementalRead {
            hint = hint ?? "incremental orders by \(incremental.columns.joined(separator: ", ")): they must be columns of the query's result"
        }
        return ETLError("postgres source: \(plain.description)", hint: hint, location: options.locations[Self.query.name] ?? options.locations[Self.table.name])
    }

    public func read(_ context: RunContext, emit: (Batch) throws -> Void) throws {
        let start = incrementalRead?.start(context.state)
        let statement = self.statement(start: start)
        let parameters = try self.parameters(for: statement, vars: context.vars,
                                             cursor: start.flatMap { s in incrementalRead?.parameters(s) } ?? Fields())
        if let start, let incremental = incrementalRead {
            switch start {
            case .everything: context.logger.info("incremental read: no saved cursor, reading every row")
            case .from(let value): context.logger.info("incremental read: \(incremental.column) >= \(value) (initial)")
            case .after(let value, let tie):
                context.logger.info("incremental read: (\(incremental.columns.joined(separator: ", "))) after (\(([value] + (tie.map { [$0] } ?? [])).joined(separator: ", ")))")
            }
        }

        let connection: PostgresConnection
        do { connection = try PostgresConnection(url: url) } catch let e as PostgresError { throw e.etlError }
        defer { connection.close() }
        // A cancelled run (timeout, SIGTERM) stops the FETCH in progress.
        context.onCancel { [weak connection] in connection?.cancel() }

        if context.showsProgress { publishRowEstimate(connection, statement, parameters, context) }
        let cursor: PostgresCursor
        do {
            cursor = try PostgresCursor(connection: connection, query: statement.sql, parameters: parameters,
                                        fetchSize: fetchSizeOption ?? context.batchSize)
        } catch let e as PostgresError {
            throw queryError(e, statement)
        }
        defer { cursor.close() }

        // FETCH and decode on a thread of their own: the next batch is decoded
        // while transforms and sinks work on this one (one queued batch between them).
        let cursorColumns = incrementalRead?.columns ?? []
        var lastCursor: [String?] = []
        try BackgroundProducer.run(capacity: 1, name: "etl-postgres-source", produce: { yield in
            var position = 0
            var decoder = PostgresRowDecoder()
            while true {
                try context.checkCancelled()
                let fetched: PostgresResult?
                do { fetched = try context.metrics.time("fetch") { try cursor.next() } } catch let e as PostgresError { throw e.etlError }
                guard let result = fetched else { return }
                let records = decoder.records(result, firstPosition: position)
                position += result.rowCount
                if !cursorColumns.isEmpty {
                    // Rows come in cursor order: the last one holds the greatest pair, in the server's own text.
                    let indices = cursorColumns.map { result.columnIndex($0) }
                    lastCursor = indices.map { $0.flatMap { result.text(row: result.rowCount - 1, column: $0) } }
                }
                guard yield(Batch(records)) else { return }
            }
        }, consume: { batch in
            try context.checkCancelled()
            context.metrics.add("records_read", batch.count)
            try emit(batch)
        })

        if let incremental = incrementalRead, let value = lastCursor.first ?? nil {
            // Saved by the runner only after every sink committed.
            context.saveState(PostgresIncremental.cursorKey, .string(value))
            if incremental.tieBreaker != nil, lastCursor.count > 1, let tie = lastCursor[1] {
                context.saveState(PostgresIncremental.tieBreakerKey, .string(tie))
            }
            context.logger.info("incremental cursor (\(incremental.columns.joined(separator: ", "))) now (\(lastCursor.compactMap { $0 }.joined(separator: ", ")))")
        }
    }
}
