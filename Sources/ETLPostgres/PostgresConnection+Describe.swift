import CLibPQ

/// What the server says a statement takes and returns, without running it.
public struct PostgresStatementDescription: Sendable {
    /// Inferred type OID of each `$n` parameter, in order.
    public let parameterTypes: [UInt32]
    /// Result column names, in order (empty for statements that return no rows).
    public let columns: [String]
    /// Type OID of each result column.
    public let columnTypes: [UInt32]
}

extension PostgresConnection {
    /// Parses and plans `sql` as the unnamed prepared statement (PREPARE), then
    /// describes it: a bad statement fails here with the server's error and
    /// position, and nothing is executed.
    public func describe(_ sql: String) throws -> PostgresStatementDescription {
        let conn = try liveConnection(sql)
        _ = try check(PQprepare(conn, "", sql, 0, nil), sql)   // cleared by PostgresResult's deinit
        guard let described = PQdescribePrepared(conn, "") else { throw connectionError(sql) }
        let result = try check(described, sql)
        let parameterTypes = (0..<Int(PQnparams(result.result))).map { UInt32(PQparamtype(result.result, Int32($0))) }
        return PostgresStatementDescription(parameterTypes: parameterTypes, columns: result.columns, columnTypes: result.columnTypes)
    }
}
