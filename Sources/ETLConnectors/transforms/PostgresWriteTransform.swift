import Foundation
import ETLCore
import ETLExpr
import ETLPostgres
import struct ETLExpr.Expression

/// Writes one row per record inside the run's transaction and passes the record on
/// with what the database answered: a relative update (`quantity_on_hand = current +
/// delta`), refused when a condition holds (no negative stock), and the before/after
/// values merged into the record so a later sink can log them in the same transaction.
///
/// Concurrency: the row is locked (`SELECT … FOR UPDATE`) before its new values are
/// computed, so parallel writers for one key queue on the lock and each sees the
/// value the previous one committed; a missing row is created with `INSERT … ON
/// CONFLICT DO NOTHING`, and one created meanwhile by another writer is locked and
/// recomputed instead. Never read-then-write without the lock.
public final class PostgresWriteTransform: TransformConnector {
    static let database = OptionKey<String>("database", .secret, required: true,
        doc: "libpq URI; a `postgres` sink of the pipeline must write to the same database: this transform works in its transaction.",
        example: "${DATABASE_URL}")
    static let table = OptionKey<String>("table", required: true, doc: "Table holding the rows to change.", example: "warehouse_stock")
    static let key = OptionKey<Fields>("key", .map(.expression), required: true,
        doc: "Column → expression over the record: the row to lock and change. With `missing: insert` these columns need a unique index.",
        example: "{sku: sku, warehouse: warehouse}")
    static let set = OptionKey<Fields>("set", .map(.expression), required: true,
        doc: "Column → new value: an expression over the record's fields and `current` (the locked row as an object, null when there is none).",
        example: "{quantity_on_hand: 'coalesce(current.quantity_on_hand, 0) + quantity'}")
    static let missing = OptionKey<String>("missing", .oneOf(["reject", "insert", "pass"]), default: "reject",
        doc: "No row for the key: reject the record, insert one (key columns and `set`, `current` null), or pass the record on unwritten.")
    static let rejectWhen = OptionKey<String?>("reject_when", .expression,
        doc: "The record is refused (nothing written) when this holds; sees the record, `current` and `new` (the row as it would become). The reject carries `current` and `new`.",
        example: "new.quantity_on_hand < 0")
    static let rejectMessage = OptionKey<String?>("reject_message", .expression,
        doc: "Expression giving the reject's reason (default: the `reject_when` text).",
        example: "'\"Inventory cannot be negative\"'")
    static let output = OptionKey<Fields>("output", .map(.expression),
        doc: "Fields merged into the record after the write: expressions over the record, `current` (before) and `new` (the row the database returned).",
        example: "{quantity_before: current.quantity_on_hand, quantity_after: new.quantity_on_hand}")
    static let when = OptionKey<String?>("when", .expression,
        doc: "Only records for which this holds are written; the others pass on unchanged.", example: "entity == \"inventory\"")

    public static let spec = ConnectorSpec(
        kind: .transform, name: "postgres",
        summary: "Change one row per record in the run's transaction (relative updates, conditional rejects) and merge the row into the record.",
        description: """
        For each record: lock the row named by `key` (`SELECT … FOR UPDATE`), compute `set` from the record and the \
        row's `current` values, refuse the record if `reject_when` holds (nothing written; the reject carries `current` \
        and `new`), else UPDATE it (or INSERT it, `missing: insert`) and merge `output` into the record. Parallel runs \
        writing the same key wait for each other's commit, so `current + delta` never loses an update. Runs inside the \
        transaction of the pipeline's `postgres` sinks on the same database (one is required): the write commits or \
        rolls back with theirs. A value the column refuses (a bad number, a constraint) rejects that record only.
        """,
        options: [database, table, key, set, missing, rejectWhen, rejectMessage, output, when],
        example: """
        transforms:
          - type: postgres
            database: ${DATABASE_URL}
            table: warehouse_stock
            key: {sku: sku, warehouse: warehouse}
            missing: insert
            set:
              quantity_on_hand: 'coalesce(current.quantity_on_hand, 0) + quantity'
              updated_at: now()
            reject_when: new.quantity_on_hand < 0
            reject_message: '"Inventory cannot be negative"'
            output: {quantity_before: 'coalesce(current.quantity_on_hand, 0)', quantity_after: new.quantity_on_hand}
        """)

    typealias Compiled = (name: String, expression: Expression)

    let url: String
    let table: String
    let key: [Compiled]
    let set: [Compiled]
    let missing: String
    let rejectWhen: Expression?
    let rejectMessage: Expression?
    let output: [Compiled]
    let condition: Expression?
    /// Column → SQL type, read from the catalog on first use.
    var columnTypes: [String: String]?

    public init(options: Options, context: BuildContext) throws {
        url = options[Self.database]
        table = options[Self.table]
        func compile(_ fields: Fields, _ option: String) throws -> [Compiled] {
            try fields.map { name, source in
                do { return (name, try Expression.compile(source.text)) }
                catch { throw options.error(option, "\(option) '\(name)': \(error)") }
            }
        }
        func compile(_ text: String?, _ option: String) throws -> Expression? {
            guard let text else { return nil }
            do { return try Expression.compile(text) } catch { throw options.error(option, "\(error)") }
        }
        key = try compile(options[Self.key], Self.key.name)
        set = try compile(options[Self.set], Self.set.name)
        missing = options[Self.missing]
        rejectWhen = try compile(options[Self.rejectWhen], Self.rejectWhen.name)
        rejectMessage = try compile(options[Self.rejectMessage], Self.rejectMessage.name)
        output = try compile(options[Self.output], Self.output.name)
        condition = try compile(options[Self.when], Self.when.name)
        if key.isEmpty { throw options.error(Self.key, "key needs at least one column") }
        let keyColumns = Set(key.map(\.name))
        if let both = set.first(where: { keyColumns.contains($0.name) }) {
            throw options.error(Self.set, "set names the key column '\(both.name)': a key identifies the row and is not changed here")
        }
        if rejectMessage != nil && rejectWhen == nil {
            throw options.error(Self.rejectMessage, "reject_message without reject_when is never used", hint: "add reject_when: the condition that refuses a record")
        }
    }

    public func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput {
        guard let session = PostgresSession.active(url: url, context: context) else {
            throw ETLError("the postgres transform on \(table) has no transaction to write in",
                           hint: "it writes inside the transaction of a `postgres` sink on the same `database`; add one (e.g. the sink logging these records)")
        }
        let c = session.connection
        let types = try loadColumnTypes(c)
        var out: [Record] = []
        var rejects: [Rejection] = []
        out.reserveCapacity(batch.records.count)
        for record in batch.records {
            if let condition {
                do {
                    guard try FilterTransform.holds(condition, record, context) else { out.append(record); continue }
                } catch {
                    rejects.append(Rejection(record: record, stage: "postgres transform", reasons: ["when: \(error)"]))
                    continue
                }
            }
            switch try write(record, c, types, context) {
            case .written(let r): out.append(r)
            case .refused(let rejection): rejects.append(rejection)
            }
        }
        return TransformOutput(Batch(out), rejects: rejects)
    }

    enum Outcome { case written(Record), refused(Rejection) }

    /// One record in its own savepoint: a value the database refuses rejects this record and leaves the others.
    private func write(_ record: Record, _ c: PostgresConnection, _ types: [String: String], _ context: RunContext) throws -> Outcome {
        let keyValues: [Value]
        do { keyValues = try key.map { try $0.expression.evaluate(record: record.fields, now: context.startedAt) } }
        catch { return .refused(reject(record, "key: \(error)")) }
        if let i = keyValues.firstIndex(where: \.isNull) {
            return .refused(reject(record, "key column \(key[i].name) is null (\(key[i].expression.source))"))
        }
        try c.execute("SAVEPOINT etl_postgres_transform")
        do {
            let outcome = try lockAndWrite(record, keyValues, c, types, context)
            try c.execute("RELEASE SAVEPOINT etl_postgres_transform")
            return outcome
        } catch let error as PostgresError where Self.isRecordFault(error) {
            try c.execute("ROLLBACK TO SAVEPOINT etl_postgres_transform")
            return .refused(reject(record, "\(table): \(error.message)"))
        } catch let error as RecordFault {
            try c.execute("ROLLBACK TO SAVEPOINT etl_postgres_transform")
            return .refused(reject(record, error.reason))
        }
    }

    /// A data exception (class 22) or a constraint (class 23) is the record's fault; anything
    /// else (deadlock, lost connection, cancel) fails the execution so it can be retried whole.
    static func isRecordFault(_ error: PostgresError) -> Bool {
        guard let state = error.sqlstate, !error.isConnectionFailure else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23")
    }

    struct RecordFault: Error { var reason: String }

    private func lockAndWrite(_ record: Record, _ keyValues: [Value], _ c: PostgresConnection, _ types: [String: String],
                              _ context: RunContext) throws -> Outcome {
        // At most twice: a row inserted by another writer between our lock attempt and
        // our insert is locked and the values computed again from it.
        for _ in 0..<2 {
            let locked = try c.execute(lockSQL(types), keyValues)
            let current: Fields? = locked.rowCount > 0 ? locked.fields(row: 0) : nil
            if current == nil {
                if missing == "reject" {
                    let described = zip(key, keyValues).map { "\($0.name) = \($1.text)" }.joined(separator: " and ")
                    return .refused(reject(record, "no \(table) row with \(described)"))
                }
                if missing == "pass" { return .written(record) }
            }
            var scope = record.fields
            scope["current"] = current.map(Value.object) ?? .null
            var newValues: [Value] = []
            for s in set {
                do { newValues.append(try s.expression.evaluate(record: scope, now: context.startedAt)) }
                catch { throw RecordFault(reason: "set \(s.name): \(error)") }
            }
            var proposed = current ?? Fields()
            for (k, v) in zip(key, keyValues) { proposed[k.name] = v }
            for (s, v) in zip(set, newValues) { proposed[s.name] = v }
            if let rejectWhen {
                var check = scope
                check["new"] = .object(proposed)
                let refused: Bool
                do { refused = Expression.isTruthy(try rejectWhen.evaluate(record: check, now: context.startedAt)) }
                catch { throw RecordFault(reason: "reject_when: \(error)") }
                if refused {
                    let message = (try? rejectMessage?.evaluate(record: check, now: context.startedAt))?.text
                        ?? "reject_when holds: \(rejectWhen.source)"
                    var carried = record.fields
                    carried["current"] = scope["current"] ?? .null
                    carried["new"] = .object(proposed)
                    return .refused(Rejection(record: Record(carried, position: record.position, route: record.route),
                                              stage: "postgres transform", reasons: [message]))
                }
            }
            let written = current == nil
                ? try c.execute(insertSQL(types), keyValues + newValues)
                : try c.execute(updateSQL(types), keyValues + newValues)
            guard written.rowCount > 0 else { continue }   // inserted meanwhile by another writer: lock it, recompute
            scope["new"] = .object(written.fields(row: 0))
            var result = record.fields
            for o in output {
                do { result[o.name] = try o.expression.evaluate(record: scope, now: context.startedAt) }
                catch { throw RecordFault(reason: "output \(o.name): \(error)") }
            }
            return .written(Record(result, position: record.position, route: record.route))
        }
        throw ETLError("\(table): the row for this record was neither found nor inserted twice in a row",
                       hint: "the key columns need a unique index for `missing: insert`")
    }

    private func reject(_ record: Record, _ reason: String) -> Rejection {
        Rejection(record: record, stage: "postgres transform", reasons: [reason])
    }

    // MARK: SQL (key values are $1…$k, set values follow)

    private func q(_ name: String) -> String { PostgresConnection.quoteIdentifier(name) }
    private var target: String { q(table) }

    private func parameter(_ n: Int, _ column: String, _ types: [String: String]) -> String {
        "$\(n)::\(types[column] ?? "text")"
    }

    private func keyMatch(_ types: [String: String]) -> String {
        key.enumerated().map { "\(q($0.element.name)) = \(parameter($0.offset + 1, $0.element.name, types))" }.joined(separator: " AND ")
    }

    private func lockSQL(_ types: [String: String]) -> String {
        "SELECT * FROM \(target) WHERE \(keyMatch(types)) FOR UPDATE"
    }

    private func updateSQL(_ types: [String: String]) -> String {
        let sets = set.enumerated().map { "\(q($0.element.name)) = \(parameter(key.count + $0.offset + 1, $0.element.name, types))" }
        return "UPDATE \(target) SET \(sets.joined(separator: ", ")) WHERE \(keyMatch(types)) RETURNING *"
    }

    private func insertSQL(_ types: [String: String]) -> String {
        let columns = key.map(\.name) + set.map(\.name)
        let values = columns.enumerated().map { parameter($0.offset + 1, $0.element, types) }
        return "INSERT INTO \(target) (\(columns.map(q).joined(separator: ", "))) VALUES (\(values.joined(separator: ", "))) ON CONFLICT DO NOTHING RETURNING *"
    }

    private func loadColumnTypes(_ c: PostgresConnection) throws -> [String: String] {
        if let columnTypes { return columnTypes }
        let r = try c.execute("""
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
            """, [.string(PostgresConnection.regclassText(table))])
        var types: [String: String] = [:]
        for row in r.rows() {
            if let name = row["attname"]?.stringValue, let type = row["format_type"]?.stringValue { types[name] = type }
        }
        for column in key.map(\.name) + set.map(\.name) where types[column] == nil {
            throw ETLError("table \(table) has no column '\(column)' (postgres transform)",
                           hint: Suggest.didYouMean(column, Array(types.keys)) ?? "check the transform's key and set columns")
        }
        columnTypes = types
        return types
    }
}
