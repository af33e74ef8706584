import ETLCore
import ETLPostgres

/// Rows → fields for a stream of results (the postgres source), keeping what
/// rows can share: the JSON parser's key cache, so json/jsonb columns of one
/// shape cost no allocation per key and no cache per value.
struct PostgresRowDecoder {
    private var json = JSONDocumentParser(decimalNumbers: true)

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
