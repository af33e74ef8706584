import ETLCore

extension Expression {
    /// Conditions (filter, route, notify `when`, `if`, `and`/`or`/`not`) hold only
    /// for `.bool(true)`. Null and false do not hold; so a comparison with a missing
    /// field (`qty > 0` when qty is absent gives null) simply does not match.
    public static func isTruthy(_ value: Value) -> Bool {
        if case .bool(true) = value { return true }
        return false
    }
}

/// The truth of a condition operand: true, false or null count; anything else is a mistake.
@inline(__always)
func conditionTruth(_ value: Value, _ operation: String) throws -> Bool {
    switch value {
    case .bool(let b): return b
    case .null: return false
    default: throw ExpressionRuntimeError("\(operation): expected a bool, got \(value.typeName) \(quoted(value))")
    }
}

/// A value as shown inside error messages: strings quoted, long text cut.
func quoted(_ value: Value) -> String {
    var t = value.text
    if t.count > 60 { t = String(t.prefix(57)) + "..." }
    if case .string = value { return "\"\(t)\"" }
    return t
}
