import ETLCore
import ETLPostgres

extension PostgresConnection {
    /// Connects after registering the URL's password (as parsed and as written)
    /// with the redactor: the driver knows nothing of redaction, so whoever
    /// builds a connection from configuration keeps its secret out of output.
    public static func connect(url: String) throws -> PostgresConnection {
        for secret in ConnectionTarget(parsing: url).secrets { Redactor.shared.add(secret) }
        return try PostgresConnection(url: url)
    }
}
