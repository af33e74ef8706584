import Foundation
import ETLCore

/// Checks fields against declared rules; a failing record is rejected with
/// every failed rule named, the rest pass through untouched.
public final class ValidateTransform: Transform {
    static let ruleOptions: [OptionSpec] = [
        OptionSpec("type", .oneOf(["string", "int", "number", "decimal", "bool", "timestamp", "array", "object"]),
                   doc: "Required JSON type (int accepts 12.0 but not 12.5; number accepts any numeric)."),
        OptionSpec("required", .bool, default: false, doc: "The field must be present and not null."),
        OptionSpec("non_empty", .bool, default: false, doc: "Strings must not be empty or blank; arrays not empty."),
        OptionSpec("min", .double, doc: "Smallest allowed number."),
        OptionSpec("max", .double, doc: "Largest allowed number."),
        OptionSpec("min_length", .int, doc: "Shortest allowed string (characters)."),
        OptionSpec("max_length", .int, doc: "Longest allowed string (characters)."),
        OptionSpec("pattern", .string, doc: "Regular expression the whole string must match."),
        OptionSpec("enum", .list(.any), doc: "Allowed values."),
    ]

    public static let spec = ConnectorSpec(
        kind: .transform, name: "validate",
        summary: "Reject records whose fields break declared rules (type, required, ranges, patterns).",
        options: [
            OptionSpec("rules", .map(.object(ruleOptions)), required: true, doc: "Field path → rules.",
                       example: "{sku: {type: string, required: true, non_empty: true}}"),
        ],
        example: """
        transforms:
          - type: validate
            rules:
              sku: {type: string, required: true, non_empty: true}
              qty: {type: int, required: true, min: 0, max: 2147483647}
              discontinued: {type: bool}
        """)

    struct Rule {
        var field: String
        var path: [String]
        var type: String?
        var required: Bool
        var nonEmpty: Bool
        var min: Double?
        var max: Double?
        var minLength: Int?
        var maxLength: Int?
        var pattern: NSRegularExpression?
        var patternText: String?
        var allowed: [Value]?
    }

    let rules: [Rule]
    /// The same ISO-8601 reading `coerce` and `parse_time` use (fractions, offsets, dates).
    let parseTime: Expression

    public init(options: Options, context: BuildContext) throws {
        var rules: [Rule] = []
        for (field, value) in options.map("rules") {
            let o = Options(value.objectValue ?? Fields())
            try Self.checkLimits(of: field, o, in: options)
            var regex: NSRegularExpression?
            if let p = o.string("pattern") {
                do { regex = try NSRegularExpression(pattern: "^(?:\(p))$") } catch {
                    throw options.error("rules", "rule for '\(field)': pattern '\(p)' is not a valid regular expression")
                }
            }
            rules.append(Rule(field: field, path: field.split(separator: ".").map(String.init), type: o.string("type"),
                              required: o.bool("required"), nonEmpty: o.bool("non_empty"),
                              min: o.double("min"), max: o.double("max"),
                              minLength: o.int("min_length"), maxLength: o.int("max_length"),
                              pattern: regex, patternText: o.string("pattern"),
                              allowed: o.has("enum") ? o.list("enum") : nil))
        }
        self.rules = rules
        parseTime = try Expression.compile("parse_time(v)")
    }

    public func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput {
        var kept: [Record] = []
        kept.reserveCapacity(batch.count)
        var rejects: [Rejection] = []
        for record in batch.records {
            var reasons: [String] = []
            for rule in rules { check(rule, record, &reasons) }
            if reasons.isEmpty { kept.append(record) }
            else { rejects.append(Rejection(record: record, stage: "validate", reasons: reasons)) }
        }
        return TransformOutput(Batch(kept), rejects: rejects)
    }

    private func check(_ rule: Rule, _ record: Record, _ reasons: inout [String]) {
        let value = rule.path.count == 1 ? (record.fields[rule.field] ?? .null) : record.value[path: rule.path]
        if value.isNull {
            if rule.required { reasons.append("\(rule.field) is missing") }
            return
        }
        if let type = rule.type, !matches(value, type) {
            reasons.append("\(rule.field) must be \(article(type)), found \(value.typeName) \(preview(value))")
            return
        }
        if rule.nonEmpty {
            if let s = value.stringValue, Self.isBlank(s) { reasons.append("\(rule.field) is empty") }
            if let a = value.arrayValue, a.isEmpty { reasons.append("\(rule.field) is empty") }
        }
        if let n = value.doubleValue {
            if let min = rule.min, n < min { reasons.append("\(rule.field) = \(value.text) is below the minimum \(format(min))") }
            if let max = rule.max, n > max { reasons.append("\(rule.field) = \(value.text) is above the maximum \(format(max))") }
        }
        if let s = value.stringValue {
            if let m = rule.minLength, s.count < m { reasons.append("\(rule.field) is shorter than \(m) characters") }
            if let m = rule.maxLength, s.count > m { reasons.append("\(rule.field) is longer than \(m) characters") }
            if let re = rule.pattern,
               re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) == nil {
                reasons.append("\(rule.field) \(preview(value)) does not match /\(rule.patternText ?? "")/")
            }
        }
        if let allowed = rule.allowed, !allowed.contains(where: { equalLoosely($0, value) }) {
            reasons.append("\(rule.field) \(preview(value)) is not one of \(allowed.map(\.text).joined(separator: ", "))")
        }
    }

    /// Empty or only spaces/tabs (`CharacterSet.whitespaces`); answers on the first
    /// ASCII letter without Foundation's trimming, which cost more than parsing.
    static func isBlank(_ s: String) -> Bool {
        for scalar in s.unicodeScalars {
            if scalar.isASCII {
                if scalar != " " && scalar != "\t" { return false }
            } else if !CharacterSet.whitespaces.contains(scalar) {
                return false
            }
        }
        return true
    }

    private func matches(_ v: Value, _ type: String) -> Bool {
        switch (type, v) {
        case ("string", .string), ("bool", .bool), ("array", .array), ("object", .object), ("timestamp", .timestamp): return true
        case ("timestamp", .string): return (try? parseTime.evaluate(record: Fields([("v", v)]), now: Date())) != nil
        case ("int", _): return v.intValue != nil && v.typeName != "string" && v.typeName != "bool"
        case ("number", .int), ("number", .double), ("number", .decimal): return true
        case ("decimal", .int), ("decimal", .decimal), ("decimal", .double): return true
        default: return false
        }
    }

    private func equalLoosely(_ a: Value, _ b: Value) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }

    private func article(_ type: String) -> String {
        ["int": "an integer", "array": "an array", "object": "an object"][type] ?? "a \(type)"
    }
    /// Whole numbers without ".0"; Int64(_:) would trap past its range, so only those that fit exactly.
    private func format(_ d: Double) -> String { Int64(exactly: d).map(String.init) ?? String(d) }
    private func preview(_ v: Value) -> String {
        let t = v.typeName == "string" ? "\"\(v.text)\"" : v.text
        return t.count > 40 ? String(t.prefix(40)) + "…" : t
    }
}
