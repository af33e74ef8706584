import ETLPostgres
import ETLTestSupport

extension TestDatabase {
    /// A fresh connection; fails the test (not skips it) when no server can be had.
    static func connect() throws -> PostgresConnection {
        try PostgresConnection(url: try url.get())
    }
}
