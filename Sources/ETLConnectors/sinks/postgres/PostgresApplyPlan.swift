import Foundation
import ETLCore
import ETLPostgres

/// The type of a target column as the catalog reports it, for staging and for
/// checking values before COPY (a bad value rejects one record, not the run).
struct PostgresColumnType {
    enum Category { case integer(min: Int64, max: Int64), numeric, float, boolean, text, timestamp, json, array, other }
    var sqlType: String
    var category: Category
    /// The column's DEFAULT expression from the catalog, used on insert for null values.
    var defaultExpression: String?

    init(sqlType: String, defaultExpression: String?) {
        self.sqlType = sqlType
        self.defaultExpression = defaultExpression
        switch sqlType {
        case "smallint": category = .integer(min: Int64(Int16.min), max: Int64(Int16.max))
        case "integer": category = .integer(min: Int64(Int32.min), max: Int64(Int32.max))
        case "bigint": category = .integer(min: Int64.min, max: Int64.max)
        case "boolean": category = .boolean
        case "real", "double precision": category = .float
        case _ where sqlType.hasPrefix("numeric"): category = .numeric
        case "text", "name", _ where sqlType.hasPrefix("character"): category = .text
        case _ where sqlType.hasPrefix("timestamp") || sqlType == "date": category = .timestamp
        case "json", "jsonb": category = .json
        case _ where sqlType.hasSuffix("[]"): category = .array
        default: category = .other
        }
    }

    enum Fit { case success(Value), failure(String) }

    /// The value converted for COPY, or why it does not fit.
    func accept(_ value: Value, field: String) -> Fit {
        if value.isNull { return .success(.null) }
        // PostgreSQL text (and jsonb) cannot hold U+0000: refused here, per record and
        // field, instead of failing the whole COPY with a message that names neither.
        if Self.containsNUL(value) { return .failure(Self.nulReason(field, sqlType)) }
        switch category {
        case .integer(let lo, let hi):
            guard let i = value.intValue else {
                return .failure("\(field) must be an integer, found \(value.typeName) \(preview(value))")
            }
            guard i >= lo && i <= hi else { return .failure("\(field) = \(i) is out of range for \(sqlType)") }
            return .success(.int(i))
        case .numeric, .float:
            guard value.doubleValue != nil else { return .failure("\(field) must be a number, found \(value.typeName) \(preview(value))") }
            return .success(value)
        case .boolean:
            guard case .bool = value else { return .failure("\(field) must be true or false, found \(value.typeName) \(preview(value))") }
            return .success(value)
        case .timestamp:
            switch value {
            case .timestamp, .string: return .success(value)
            default: return .failure("\(field) must be a timestamp, found \(value.typeName)")
            }
        case .text:
            switch value {
            case .array, .object: return .success(.string(value.text))
            default: return .success(.string(value.text))
            }
        case .json:
            switch value {
            // A string is taken as JSON text (a CSV column holding JSON); it must parse.
            case .string(let s):
                guard (try? JSONStreamReader.parse(s)) != nil else {
                    return .failure("\(field) must be JSON for \(sqlType), found text \(preview(value))")
                }
                return .success(value)
            // Arrays, objects, numbers and booleans are written as the JSON they are.
            default: return .success(.string(JSONWriter.string(value)))
            }
        case .array:
            guard case .array = value else { return .failure("\(field) must be an array for \(sqlType), found \(value.typeName) \(preview(value))") }
            return .success(value)
        case .other:
            return .success(value)
        }
    }

    static func nulReason(_ field: String, _ sqlType: String) -> String {
        "\(field) contains a NUL character (U+0000), which PostgreSQL cannot store in \(sqlType)"
    }

    static func containsNUL(_ value: Value) -> Bool {
        switch value {
        case .string(let s): return s.utf8.contains(0)
        case .array(let items): return items.contains(where: containsNUL)
        case .object(let fields): return fields.contains { $0.0.utf8.contains(0) || containsNUL($0.1) }
        default: return false
        }
    }

    private func preview(_ v: Value) -> String {
        let t = v.typeName == "string" ? "\"\(v.text)\"" : v.text
        return t.count > 40 ? String(t.prefix(40)) + "…" : t
    }
}

/// The set-based SQL a `postgres` sink runs at the end of a run.
struct PostgresApplyPlan {
    enum Mode: String { case insert, upsert, update, softDelete = "soft_delete" }

    struct Lookup {
        var table: String
        var match: [(lookupColumn: String, field: String)]
        var select: [(targetColumn: String, lookupColumn: String)]
        var rejectMisses: Bool
    }

    let table: String
    let mode: Mode
    let key: [String]
    /// Target column → record field path.
    let columns: [(column: String, path: [String])]
    let lookup: Lookup?
    let compare: [String]
    let defaults: Fields
    let keepExistingOnNull: Bool
    let syncedAt: String?
    let changedAt: String?
    let flagTimestamps: [(timestamp: String, flag: String)]
    let newerThan: String?
    /// With `newer_than`: records whose row is newer are returned as rejects (else only counted).
    let rejectConflicts: Bool
    /// With `on_conflict: record`: the conflicts table and the record fields staged for it.
    let conflictRecord: PostgresConflictRecord?
    let deletedColumn: String
    /// soft_delete mode: column → constant also set on the rows it deletes.
    let softDeleteSet: Fields
    /// upsert/update: writing a record clears `deletedColumn` on its row.
    let undelete: Bool
    /// Filled from the catalog when the sink opens.
    var columnTypes: [String: PostgresColumnType] = [:]

    /// Sinks sharing one transaction (same database) each get their own temp tables.
    var tableSuffix = ""
    var stageTable: String { "_etl_stage" + tableSuffix }

    var columnDefaults: [String: String] { columnTypes.compactMapValues { $0.defaultExpression } }
    func typeName(_ column: String) -> String { columnTypes[column]?.sqlType ?? "text" }

    /// Reads the postgres sink's options (declared by `PostgresSink`).
    init(options: Options) throws {
        table = options[PostgresSink.table]
        try Self.checkTableName(table, options, PostgresSink.table.name)
        mode = Mode(rawValue: options[PostgresSink.mode]) ?? .upsert
        key = options[PostgresSink.key] ?? []
        columns = options[PostgresSink.columns].map { ($0.0, $0.1.text.split(separator: ".").map(String.init)) }
        if let l = options[PostgresSink.lookup] {
            lookup = Lookup(table: l[PostgresSink.Lookup.table],
                            match: l[PostgresSink.Lookup.match].map { ($0.0, $0.1.text) },
                            select: l[PostgresSink.Lookup.select].map { ($0.0, $0.1.text) },
                            rejectMisses: l[PostgresSink.Lookup.onMiss] != "skip")
            try Self.checkTableName(l[PostgresSink.Lookup.table], options, "lookup.table")
        } else { lookup = nil }
        compare = options[PostgresSink.compare] ?? columns.map(\.column)
        defaults = options[PostgresSink.defaults]
        keepExistingOnNull = options[PostgresSink.keepExistingOnNull]
        syncedAt = options[PostgresSink.syncedAt]
        changedAt = options[PostgresSink.changedAt]
        flagTimestamps = options[PostgresSink.flagTimestamps].map { ($0.0, $0.1.text) }
        newerThan = options[PostgresSink.newerThan]
        rejectConflicts = options[PostgresSink.onConflict] == "reject"
        deletedColumn = options[PostgresSink.deletedColumn]
        softDeleteSet = options[PostgresSink.softDeleteSet]
        undelete = options[PostgresSink.undelete]
        conflictRecord = try PostgresConflictRecord(options: options, targetTable: table, mode: mode)

        if mode != .insert && key.isEmpty {
            throw options.error(PostgresSink.key, "mode \(mode.rawValue) needs `key`: the target columns that identify a row")
        }
        let provided = Set(columns.map(\.column) + (lookup?.select.map(\.targetColumn) ?? []))
        for k in key where !provided.contains(k) {
            throw options.error(PostgresSink.key, "key column '\(k)' is neither in `columns` nor selected by `lookup`")
        }
        for c in compare where !provided.contains(c) {
            throw options.error(PostgresSink.compare, "compare column '\(c)' is not in `columns`")
        }
        for f in flagTimestamps where !provided.contains(f.flag) {
            throw options.error(PostgresSink.flagTimestamps, "flag column '\(f.flag)' is not in `columns`")
        }
        if let newerThan, !provided.contains(newerThan) {
            throw options.error(PostgresSink.newerThan, "newer_than column '\(newerThan)' is not in `columns`",
                                hint: "map the record's timestamp to it, e.g. columns: {\(newerThan): updatedAt}")
        }
        if !softDeleteSet.isEmpty {
            guard mode == .softDelete else {
                throw options.error(PostgresSink.softDeleteSet, "soft_delete_set applies to mode soft_delete, not \(mode.rawValue)",
                                    hint: "move it to the sink with `mode: soft_delete`")
            }
            if softDeleteSet[deletedColumn] != nil {
                throw options.error(PostgresSink.softDeleteSet, "soft_delete_set must not name '\(deletedColumn)': the sink sets it to now()",
                                    hint: "choose the column with `deleted_column`")
            }
        }
        if undelete {
            guard mode == .upsert || mode == .update else {
                throw options.error(PostgresSink.undelete, "undelete applies to modes upsert and update, not \(mode.rawValue)")
            }
            if provided.contains(deletedColumn) {
                throw options.error(PostgresSink.undelete, "undelete clears '\(deletedColumn)', which is also in `columns`",
                                    hint: "drop it from `columns` or set `deleted_column` to the right column")
            }
        }
    }

    // MARK: identifiers

    func q(_ name: String) -> String { PostgresConnection.quoteIdentifier(name) }
    var target: String { q(table) }
    /// Staging column for a lookup match field.
    func matchColumn(_ lookupColumn: String) -> String { "_m_" + lookupColumn }
    var stagedColumns: [String] {
        columns.map(\.column) + (lookup?.match.map { matchColumn($0.lookupColumn) } ?? []) + (conflictRecord?.extras.map(\.column) ?? [])
    }

    // MARK: staging

    func loadColumnTypes(_ c: PostgresConnection) throws -> [String: PostgresColumnType] {
        func types(of table: String) throws -> [String: PostgresColumnType] {
            let r = try c.execute("""
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid)
                FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
                """, [.string(PostgresConnection.regclassText(table))])
            var out: [String: PostgresColumnType] = [:]
            for row in r.rows() {
                guard let name = row["attname"]?.stringValue, let type = row["format_type"]?.stringValue else { continue }
                out[name] = PostgresColumnType(sqlType: type, defaultExpression: row["pg_get_expr"]?.stringValue)
            }
            return out
        }
        let targetTypes = try types(of: table)
        var needed = columns.map(\.column) + key + compare + flagTimestamps.flatMap { [$0.timestamp, $0.flag] }
        needed += [syncedAt, changedAt, newerThan].compactMap { $0 }
        if mode == .softDelete || undelete { needed.append(deletedColumn) }
        needed += softDeleteSet.map { $0.0 }
        for column in needed where targetTypes[column] == nil {
            throw ETLError("table \(table) has no column '\(column)'",
                           hint: Suggest.didYouMean(column, Array(targetTypes.keys)) ?? "check the sink's column names")
        }
        var all = targetTypes
        if let lookup {
            let lookupTypes = try types(of: lookup.table)
            for m in lookup.match {
                guard let t = lookupTypes[m.lookupColumn] else {
                    throw ETLError("lookup table \(lookup.table) has no column '\(m.lookupColumn)'")
                }
                all[matchColumn(m.lookupColumn)] = t
            }
            for s in lookup.select where lookupTypes[s.lookupColumn] == nil {
                throw ETLError("lookup table \(lookup.table) has no column '\(s.lookupColumn)'")
            }
        }
        for extra in conflictRecord?.extras ?? [] {
            all[extra.column] = PostgresColumnType(sqlType: extra.sqlType, defaultExpression: nil)
        }
        return all
    }

    func createStagingSQL(_ types: [String: PostgresColumnType]) -> String {
        let cols = stagedColumns.map { "\(q($0)) \(types[$0]?.sqlType ?? "text")" }
        return "CREATE TEMP TABLE \(stageTable) (_pos bigint, \(cols.joined(separator: ", "))) ON COMMIT DROP"
    }

    var copySQL: String {
        "COPY \(stageTable) (_pos, \(stagedColumns.map(q).joined(separator: ", "))) FROM STDIN"
    }

    /// The staged columns in COPY order (after `_pos`).
    func stagedFields(_ types: [String: PostgresColumnType], duplicates: PostgresDuplicateKeys) -> [StagedField] {
        var out = columns.map { StagedField(path: $0.path, label: $0.path.joined(separator: "."), type: types[$0.column]) }
        if let lookup {
            for m in lookup.match {
                out.append(StagedField(path: m.field.split(separator: ".").map(String.init), label: m.field,
                                       type: types[matchColumn(m.lookupColumn)], lookupTable: lookup.table))
            }
        }
        for extra in conflictRecord?.extras ?? [] {
            out.append(StagedField(path: extra.path, label: extra.path.joined(separator: "."), type: types[extra.column]))
        }
        for (i, field) in out.enumerated() { field.identifies = duplicates.identifies(position: i + 1) }
        return out
    }

    /// Writes one staging row into the COPY: `_pos`, then the staged fields, each
    /// checked against its column type as it is written. Returns why the record
    /// cannot be written (the row is then taken back), or nil; the row is left open
    /// for `endRow()`. The staged values of identifying fields go into `key`.
    /// `slots` finds top-level fields by position (built from `topLevelName`, one per field).
    static func stage(_ record: Record, _ fields: [StagedField], slots: inout FieldSlots,
                      into rows: inout CopyRows, key: inout Hasher?) -> String? {
        rows.writeInteger(Int64(record.position))
        slots.locate(in: record.fields.keys)
        var problems: [String]?
        for i in fields.indices {
            let field = fields[i]
            let value: Value
            if let slot = slots.of[i] { value = record.fields.values[slot] }
            else if field.path.count == 1 { value = .null }
            else { value = record.value[path: field.path] }
            if let table = field.lookupTable, value.isNull {
                problems = (problems ?? []) + ["\(field.label) is missing (needed to find the \(table) row)"]
            }
            switch field.stage(value, into: &rows) {
            case .success(let staged): if field.identifies { key?.combine(staged) }
            case .failure(let reason): problems = (problems ?? []) + [reason]
            }
        }
        guard let problems else { return nil }
        rows.cancelRow()
        return problems.joined(separator: "; ")
    }
}
