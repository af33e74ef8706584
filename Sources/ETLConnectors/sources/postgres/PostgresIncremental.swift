import ETLCore
import ETLPostgres

/// The `incremental:` block of the postgres source: read only rows past the
/// last one read by the last successful run.
///
/// Rows are read in `(column, tie_breaker)` order and the pair of the last row
/// read — the greatest — is saved (etl_state keys `cursor` and
/// `cursor_tie_breaker`) through `RunContext.saveState`, which the runner commits
/// only after every sink committed. The next run reads `(column, tie_breaker) >
/// (saved pair)`: rows sharing the last `column` value are neither skipped nor
/// read twice, because the tie-breaker orders them. Values are kept as the
/// server's text and bound back as parameters, so the comparison is the
/// server's own, to the microsecond, in the column's type and collation.
struct PostgresIncremental {
    static let cursorKey = "cursor"
    static let tieBreakerKey = "cursor_tie_breaker"

    static let column = OptionKey<String>("column", required: true, doc: "Column that grows when a row changes (a timestamp, a sequence…): rows are read in its order and its greatest value is remembered.", example: "updated_at")
    static let tieBreaker = OptionKey<String?>("tie_breaker", doc: "Unique column ordering rows that share a `column` value (usually the primary key). Without it, rows that arrive later with the same `column` value as the last row read are missed.", example: "id")
    static let initial = OptionKey<String?>("initial", doc: "First run only (nothing saved yet): read rows whose `column` is at least this value (PostgreSQL text form); without it the first run reads every row.", example: "\"2024-01-01 00:00:00+00\"")
    static let options: [any OptionDeclaration] = [column, tieBreaker, initial]

    let column: String
    let tieBreaker: String?
    let initial: String?

    init(_ options: Options) throws {
        column = options[Self.column]
        tieBreaker = options[Self.tieBreaker].flatMap { $0.isEmpty ? nil : $0 }
        initial = options[Self.initial].flatMap { $0.isEmpty ? nil : $0 }
        if column.isEmpty { throw options.error(Self.column, "incremental.column must name a column") }
        if tieBreaker == column { throw options.error(Self.tieBreaker, "incremental.tie_breaker must differ from incremental.column") }
    }

    /// The columns rows are ordered by: `column`, then `tie_breaker`.
    var columns: [String] { [column] + (tieBreaker.map { [$0] } ?? []) }

    /// Where this run starts: the saved pair, else `initial` (inclusive), else nothing.
    enum Start: Equatable {
        case everything
        case from(String)
        case after(String, tieBreaker: String?)
    }

    func start(_ state: Fields) -> Start {
        if let saved = state[Self.cursorKey], !saved.isNull {
            let tie = state[Self.tieBreakerKey].flatMap { $0.isNull ? nil : $0.text }
            // A tie-breaker added since the cursor was saved starts after every row of the saved value.
            if tieBreaker != nil && tie == nil { return .after(saved.text, tieBreaker: nil) }
            return .after(saved.text, tieBreaker: tieBreaker == nil ? nil : tie)
        }
        if let initial { return .from(initial) }
        return .everything
    }

    /// Values the `:cursor` and `:cursor_tie_breaker` parameters bind to in this run.
    func parameters(_ start: Start) -> Fields {
        switch start {
        case .everything: return Fields([(Self.cursorKey, .null), (Self.tieBreakerKey, .null)])
        case .from(let value): return Fields([(Self.cursorKey, .string(value)), (Self.tieBreakerKey, .null)])
        case .after(let value, let tie): return Fields([(Self.cursorKey, .string(value)), (Self.tieBreakerKey, tie.map(Value.string) ?? .null)])
        }
    }

    /// `WHERE … ORDER BY …` around the base query (aliased `alias`), binding the cursor as parameters.
    func appendCondition(to statement: inout SourceStatement, start: Start, alias: String) {
        let q = { "\(alias).\(PostgresConnection.quoteIdentifierPart($0))" }
        // NULLs cannot be ordered against a cursor: such rows are never read, on any run.
        var conditions = columns.map { "\(q($0)) IS NOT NULL" }
        switch start {
        case .everything:
            break
        case .from:
            conditions.append("\(q(column)) >= \(statement.placeholder(Self.cursorKey))")
        case .after(_, let tie):
            if let tieBreaker, tie != nil {
                conditions.append("(\(q(column)), \(q(tieBreaker))) > (\(statement.placeholder(Self.cursorKey)), \(statement.placeholder(Self.tieBreakerKey)))")
            } else {
                conditions.append("\(q(column)) > \(statement.placeholder(Self.cursorKey))")
            }
        }
        statement.append(" WHERE " + conditions.joined(separator: " AND "))
        statement.append(" ORDER BY " + columns.map(q).joined(separator: ", "))
    }
}
