import ETLCore
import ETLPostgres

extension PostgresError {
    /// The same failure as the framework's error type, hint kept apart.
    public var etlError: ETLError {
        var copy = self
        copy.hint = nil
        return ETLError(copy.description, hint: hint)
    }
}
