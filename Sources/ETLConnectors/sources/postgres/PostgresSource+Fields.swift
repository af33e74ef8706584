import ETLCore
import ETLPostgres

extension PostgresSource: FieldDescribing {
    /// The query's result columns, as the server describes them (only with a connection).
    public func recordFields(connect: Bool) throws -> [String]? {
        guard connect else { return nil }
        let connection: PostgresConnection
        do { connection = try PostgresConnection(url: url) } catch let e as PostgresError { throw e.etlError }
        defer { connection.close() }
        let base = statement(start: nil)
        do { return try connection.describe(base.sql).columns } catch let e as PostgresError { throw queryError(e, base) }
    }
}
