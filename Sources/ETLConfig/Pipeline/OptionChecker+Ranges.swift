import ETLCore

/// What every number of a given option type must be, whatever the connector:
/// a NaN, an infinity or a negative duration passes YAML typing but would trap
/// or misbehave mid-run (`timeout: .nan`), so `validate` refuses it instead.
extension OptionChecker {
    /// Ten years: longer than any run, wait or retention, and still exact in every unit we format.
    public static let maxDurationSeconds = 10 * 365 * 86_400.0

    /// nil when `value` suits `type`; otherwise what it must be and a hint.
    static func rangeProblem(_ value: Value, _ type: OptionType) -> (expected: String, hint: String)? {
        switch (type, value) {
        case (.double, .double(let d)) where !d.isFinite:
            return ("a finite number", "write a plain number such as 10 or 0.5")
        case (.duration, .double(let s)) where !s.isFinite || s < 0 || s > maxDurationSeconds:
            return ("a duration from 0 to 10 years", "e.g. 500ms, 5s, 15m, 1h30m, 30d")
        case (.size, .int(let n)) where n < 0:
            return ("a size of 0 or more", "e.g. 512KiB, 10MB")
        default:
            return nil
        }
    }

    /// Reports `value` at `node` when it is out of range for `type`; nil then.
    mutating func inRange(_ value: Value?, _ type: OptionType, _ node: YAMLNode, name: String) -> Value? {
        guard let value, let problem = Self.rangeProblem(value, type) else { return value }
        let written = node.scalarText.map { "'\($0)'" } ?? "this value"
        error("option '\(name)' of \(owner) must be \(problem.expected), found \(written)", node.location, hint: problem.hint)
        return nil
    }
}
