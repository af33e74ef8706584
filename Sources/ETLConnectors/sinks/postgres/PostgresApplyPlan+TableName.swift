import ETLCore
import ETLPostgres

extension PostgresApplyPlan {
    /// A table name PostgreSQL could not parse is refused while building (so by
    /// `validate`), naming the value and pointing at the option.
    static func checkTableName(_ name: String, _ options: Options, _ option: String) throws {
        // Empty is an unset variable, already reported (or a missing option).
        guard !name.isEmpty, let problem = PostgresConnection.tableNameProblem(name) else { return }
        throw options.error(option, "\(option): \(problem)",
                            hint: "write table, schema.table or database.schema.table; each part is used as written (case kept)")
    }
}
