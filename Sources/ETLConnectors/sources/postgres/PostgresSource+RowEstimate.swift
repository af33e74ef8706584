import ETLCore
import ETLPostgres

extension PostgresSource {
    /// For the progress display's ETA: the planner's row estimate (EXPLAIN plans, runs
    /// nothing). Counting exactly would run the query twice; an estimate is what is cheap.
    func publishRowEstimate(_ connection: PostgresConnection, _ statement: SourceStatement, _ parameters: PostgresParameters,
                            _ context: RunContext) {
        guard let result = try? connection.execute("EXPLAIN (FORMAT JSON) " + statement.sql, parameters: parameters),
              let text = result.text(row: 0, column: 0),
              let plan = (try? JSONStreamReader.parse(Array(text.utf8)))?.arrayValue?.first?.objectValue?["Plan"]?.objectValue,
              let rows = plan["Plan Rows"]?.doubleValue ?? plan["Plan Rows"]?.intValue.map(Double.init), rows >= 1
        else { return }
        context.publish(Progress.recordsEstimate, .int(Int64(rows)))
    }
}
