import ETLCore
import ETLPostgres

extension PostgresConnection {
    /// Runs one statement with `$1…$n` bound to `params`, sent in PostgreSQL's
    /// text form (`.null` as NULL, arrays as array literals so `= ANY($1)` works).
    @discardableResult
    public func execute(_ sql: String, _ params: [Value]) throws -> PostgresResult {
        var parameters = PostgresParameters()
        for param in params {
            if param.isNull { parameters.appendNull(); continue }
            parameters.append { PostgresTextEncoder.append(param, to: &$0) }
        }
        return try execute(sql, parameters: parameters)
    }
}
