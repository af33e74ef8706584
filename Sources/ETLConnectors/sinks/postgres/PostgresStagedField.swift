import ETLCore
import ETLPostgres

extension PostgresApplyPlan {
    /// One staged column with everything per-record work needs, worked out once
    /// at open: no dictionary lookups, path splitting or string joining per record.
    /// A class, so the loop over a record's fields reads them in place instead of
    /// copying each (retaining and releasing its strings) for every record.
    final class StagedField {
        let path: [String]
        /// The field name used in reject reasons (`qty`, `item.sku`).
        let label: String
        let type: PostgresColumnType?
        /// `type`'s category, held apart: it copies without touching a reference count,
        /// where reading `type` copies its SQL strings (two retains and releases a field).
        let category: PostgresColumnType.Category?
        /// Set for lookup match fields: the lookup table, named when the field is missing.
        let lookupTable: String?
        /// Its staged value is part of the key the duplicate check hashes.
        var identifies = false

        init(path: [String], label: String, type: PostgresColumnType?, lookupTable: String? = nil) {
            self.path = path; self.label = label; self.type = type; self.lookupTable = lookupTable
            category = type?.category
        }

        /// Its name in a record's top-level keys (`FieldSlots`), nil for a nested path.
        var topLevelName: String? { path.count == 1 ? path[0] : nil }

        /// Writes `value` as the next COPY field if it fits the column, exactly as
        /// `accept` would convert it and `writeField` would write that, and returns the
        /// same `Fit` (success: the value written). The common pairs (an int into an
        /// integer column, a string into text, a bool into boolean) are checked and
        /// written in one step — the NUL check rides on the escaping pass, integers are
        /// written as digits — with no converted copy; every other pair goes through
        /// `accept`. Without a known column type the value is written as it is. After a
        /// failure the row holds a partial field: the caller cancels it.
        func stage(_ value: Value, into rows: inout CopyRows) -> PostgresColumnType.Fit {
            guard let category else {
                rows.writeField(value)
                return .success(value)
            }
            switch (category, value) {
            case (_, .null):
                rows.writeNull()
                return .success(.null)
            case (.integer(let lo, let hi), .int(let i)):
                guard i >= lo && i <= hi else { return .failure("\(label) = \(i) is out of range for \(type?.sqlType ?? "")") }
                rows.writeInteger(i)
                return .success(value)
            case (.text, .string(let s)), (.timestamp, .string(let s)):
                guard rows.writeTextRefusingNUL(s) else { return .failure(PostgresColumnType.nulReason(label, type?.sqlType ?? "")) }
                return .success(value)
            case (.boolean, .bool), (.numeric, .int), (.float, .int), (.numeric, .decimal), (.float, .decimal),
                 (.numeric, .double), (.float, .double), (.timestamp, .timestamp):
                // Accepted as they are (`accept` only checks their kind).
                rows.writeField(value)
                return .success(value)
            default:
                guard let fit = type?.accept(value, field: label) else { return .failure("\(label) has no column type") }
                if case .success(let accepted) = fit { rows.writeField(accepted) }
                return fit
            }
        }
    }
}
