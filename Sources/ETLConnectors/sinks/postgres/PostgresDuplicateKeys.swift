import ETLCore
import ETLPostgres

/// Tells, while rows are staged, whether two records of the payload could land
/// on the same target row. Record keys are hashed into a filter as they pass
/// (`SeenKeyFilter`: its memory stops growing at 21.25 MiB); only a
/// hash it may have seen (a real duplicate or, rarely, a false alarm) sends `apply`
/// down the path that finds and removes duplicates in SQL, which costs a pass
/// over every staged row. `indices` is nil when equal SQL values need not be
/// equal Swift values (numeric 1.0 = 1.00, char(n) padding, a non-unique lookup
/// column…): then that path is always taken.
struct PostgresDuplicateKeys {
    /// Positions in a staging row of the columns that identify a record.
    private let indices: [Int]?
    private var seen: SeenKeyFilter?
    private(set) var mayHaveDuplicates: Bool

    init(indices: [Int]?) {
        self.indices = indices
        mayHaveDuplicates = indices == nil
        if indices != nil { seen = SeenKeyFilter() }
    }

    /// Whether the column at this position of a staging row (`_pos` is 0) identifies a record.
    func identifies(position: Int) -> Bool { indices?.contains(position) ?? false }

    /// True while records' keys are still wanted (`observe`): the answer is not known yet.
    var isWatching: Bool { seen != nil }

    /// Takes one staged record's key: its identifying columns' staged values, hashed
    /// in staging-row order.
    mutating func observe(_ key: Hasher) {
        guard let seen else { return }
        if seen.insert(key.finalize()) {
            mayHaveDuplicates = true
            self.seen = nil   // the answer is known: its memory goes
        }
    }
}

extension PostgresApplyPlan {
    /// Where the identifying columns sit in a staging row, or nil when hashing
    /// them cannot prove the payload free of duplicates.
    /// With a lookup the payload is identified by its match fields; distinct match
    /// values give distinct keys only if the key columns taken from the lookup table
    /// are unique and not null there, and its match columns compare bytewise.
    func duplicateCheckIndices(_ c: PostgresConnection) throws -> [Int]? {
        guard mode != .insert else { return nil }
        let identifying: [String]
        if let lookup {
            let keyColumns = lookup.select.filter { key.contains($0.targetColumn) }.map(\.lookupColumn)
            guard !keyColumns.isEmpty else { return nil }
            let separator = "\u{1F}"
            let unique = try c.execute("""
                SELECT EXISTS (
                  SELECT 1 FROM pg_index i
                  WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
                    AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey::int2[]) k
                                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k
                                    WHERE NOT a.attnotnull OR a.attname <> ALL (string_to_array($2, chr(31))))
                ) AND NOT EXISTS (
                  SELECT 1 FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
                  WHERE a.attrelid = $1::regclass AND a.attname = ANY (string_to_array($3, chr(31)))
                    AND NOT c.collisdeterministic
                )
                """, [.string(PostgresConnection.regclassText(lookup.table)), .string(keyColumns.joined(separator: separator)),
                      .string(lookup.match.map(\.lookupColumn).joined(separator: separator))])
            guard unique.value(row: 0, column: 0).boolValue == true else { return nil }
            identifying = lookup.match.map { matchColumn($0.lookupColumn) }
        } else {
            identifying = key
        }
        var indices: [Int] = []
        for column in identifying {
            guard let type = columnTypes[column], Self.comparesAsSwiftValue(type),
                  let i = stagedColumns.firstIndex(of: column) else { return nil }
            indices.append(i + 1)  // after _pos
        }
        return indices
    }

    /// Types whose SQL equality is equality of the staged Swift value.
    private static func comparesAsSwiftValue(_ type: PostgresColumnType) -> Bool {
        if case .integer = type.category { return true }
        return type.sqlType == "text" || type.sqlType.hasPrefix("character varying")
    }
}
