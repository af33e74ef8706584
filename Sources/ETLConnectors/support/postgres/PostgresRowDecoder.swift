import ETLCore
import ETLPostgres

/// Rows → fields for a stream of results (the postgres source), keeping what
/// rows can share: the JSON parser's key cache, so json/jsonb columns of one
/// shape cost no allocation per key and no cache per value.
struct PostgresRowDecoder {
    private var json = JSONDocumentParser(decimalNumbers: true)

    /// Every row of a result as records, positions counted from `firstPosition`.
    /// The records share one key list (the result's column names).
    mutating func records(_ result: PostgresResult, firstPosition: Int) -> [Record] {
        let keys = result.columns
        let types = result.columnTypes
        let columnCount = keys.count
        var records: [Record] = []
        records.reserveCapacity(result.rowCount)
        for row in 0..<result.rowCount {
            var values: [Value] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if result.isNull(row: row, column: column) { values.append(.null); continue }
                let type = types[column]
                values.append(result.withFieldBytes(row: row, column: column) {
                    PostgresValueDecoder.decode($0, type: type, json: &json)
                })
            }
            records.append(Record(Fields(uncheckedKeys: keys, values: values), position: firstPosition + row))
        }
        return records
    }

    /// One row as fields in column order; NULL as `.null`.
    mutating func fields(_ result: PostgresResult, row: Int) -> Fields {
        var f = Fields()
        f.reserveCapacity(result.columnCount)
        for column in 0..<result.columnCount {
            let name = result.columns[column]
            if result.isNull(row: row, column: column) { f.appendUnchecked(name, .null); continue }
            let type = result.columnTypes[column]
            f.appendUnchecked(name, result.withFieldBytes(row: row, column: column) {
                PostgresValueDecoder.decode($0, type: type, json: &json)
            })
        }
        return f
    }
}
