import ETLCore
import ETLPostgres

extension PostgresColumnType {
    /// Writes `value` as the next COPY field if it fits the column, exactly as
    /// `accept` would convert it and `writeField` would write that, and returns the
    /// same `Fit` (success: the value written). The common pairs (an int into an
    /// integer column, a string into text, a bool into boolean) are checked and
    /// written in one step — the NUL check rides on the escaping pass, integers are
    /// written as digits — with no converted copy; every other pair goes through
    /// `accept`. After a failure the row holds a partial field: the caller cancels it.
    func stage(_ value: Value, field: String, into rows: inout CopyRows) -> Fit {
        switch (category, value) {
        case (_, .null):
            rows.writeNull()
            return .success(.null)
        case (.integer(let lo, let hi), .int(let i)):
            guard i >= lo && i <= hi else { return .failure("\(field) = \(i) is out of range for \(sqlType)") }
            rows.writeInteger(i)
            return .success(value)
        case (.text, .string(let s)), (.timestamp, .string(let s)):
            guard rows.writeTextRefusingNUL(s) else { return .failure(Self.nulReason(field, sqlType)) }
            return .success(value)
        case (.boolean, .bool), (.numeric, .int), (.float, .int), (.numeric, .decimal), (.float, .decimal),
             (.numeric, .double), (.float, .double), (.timestamp, .timestamp):
            // Accepted as they are (`accept` only checks their kind).
            rows.writeField(value)
            return .success(value)
        default:
            let fit = accept(value, field: field)
            if case .success(let accepted) = fit { rows.writeField(accepted) }
            return fit
        }
    }
}
