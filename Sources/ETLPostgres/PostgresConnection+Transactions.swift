import CLibPQ

extension PostgresConnection {
    public func begin() throws { try execute("BEGIN") }

    /// Commits; throws if the server rolled back instead (an earlier statement
    /// of the transaction failed), so a failed transaction never looks committed.
    public func commit() throws {
        let result = try execute("COMMIT")
        if result.commandTag == "ROLLBACK" {
            throw PostgresError(sqlstate: "25P02", message: "the transaction was rolled back because a statement in it failed",
                                statement: "COMMIT", endpoint: endpoint)
        }
    }

    public func rollback() throws { try execute("ROLLBACK") }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try begin()
        let value: T
        do {
            value = try body()
        } catch {
            if isInTransaction { try? rollback() }
            throw error
        }
        try commit()
        return value
    }
}
