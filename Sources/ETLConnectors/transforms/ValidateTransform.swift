import Foundation
import ETLCore
import struct ETLExpr.Expression

/// Checks fields against declared rules; a failing record is rejected with
/// every failed rule named, the rest pass through untouched.
public final class ValidateTransform: TransformConnector {
    /// The rules one field may have (`rules: {sku: {type: string, required: true}}`).
    enum FieldRules {
        static let type = OptionKey<String?>("type", .oneOf(["string", "int", "number", "decimal", "bool", "timestamp", "array", "object"]),
                                             doc: "Required JSON type (int accepts 12.0 but not 12.5; number accepts any numeric).")
        static let required = OptionKey<Bool>("required", default: false, doc: "The field must be present and not null.")
        static let nonEmpty = OptionKey<Bool>("non_empty", default: false, doc: "Strings must not be empty or blank; arrays not empty.")
        static let min = OptionKey<Double?>("min", doc: "Smallest allowed number.")
        static let max = OptionKey<Double?>("max", doc: "Largest allowed number.")
        static let minLength = OptionKey<Int?>("min_length", doc: "Shortest allowed string (characters).")
        static let maxLength = OptionKey<Int?>("max_length", doc: "Longest allowed string (characters).")
        static let pattern = OptionKey<String?>("pattern", doc: "Regular expression the whole string must match.")
        static let `enum` = OptionKey<[Value]?>("enum", .list(.any), doc: "Allowed values.")
    }
    static let rules = OptionKey<Fields>("rules", .map(.block([FieldRules.type, FieldRules.required, FieldRules.nonEmpty, FieldRules.min,
                                                              FieldRules.max, FieldRules.minLength, FieldRules.maxLength,
                                                              FieldRules.pattern, FieldRules.enum])),
                                         required: true, doc: "Field path → rules.", example: "{sku: {type: string, required: true, non_empty: true}}")

    public static let spec = ConnectorSpec(
        kind: .transform, name: "validate",
        summary: "Reject records whose fields break declared rules (type, required, ranges, patterns).",
        options: [rules],
        example: """
        transforms:
          - type: validate
            rules:
              sku: {type: string, required: true, non_empty: true}
              qty: {type: int, required: true, min: 0, max: 2147483647}
              discontinued: {type: bool}
        """)

    enum Kind: String { case string, int, number, decimal, bool, timestamp, array, object }

    /// A class, not a struct: checking a record reads each rule where it is, where a
    /// struct of this size was copied (a dozen retains and releases) for every record.
    final class Rule {
        let field: String
        let path: [String]
        let type: String?
        /// `type` as an enum, so a record's check switches on it instead of comparing strings.
        let kind: Kind?
        let required: Bool
        let nonEmpty: Bool
        let min: Double?
        let max: Double?
        let minLength: Int?
        let maxLength: Int?
        let pattern: NSRegularExpression?
        let patternText: String?
        let allowed: [Value]?

        init(field: String, path: [String], type: String?, kind: Kind?, required: Bool, nonEmpty: Bool, min: Double?, max: Double?,
             minLength: Int?, maxLength: Int?, pattern: NSRegularExpression?, patternText: String?, allowed: [Value]?) {
            self.field = field; self.path = path; self.type = type; self.kind = kind; self.required = required
            self.nonEmpty = nonEmpty; self.min = min; self.max = max; self.minLength = minLength; self.maxLength = maxLength
            self.pattern = pattern; self.patternText = patternText; self.allowed = allowed
        }
    }

    let rules: [Rule]
    /// The same ISO-8601 reading `coerce` and `parse_time` use (fractions, offsets, dates).
    let parseTime: Expression

    public init(options: Options, context: BuildContext) throws {
        var rules: [Rule] = []
        for (field, value) in options[Self.rules] {
            let o = Options(value.objectValue ?? Fields())
            try Self.checkLimits(of: field, o, in: options)
            var regex: NSRegularExpression?
            if let p = o[FieldRules.pattern] {
                do { regex = try NSRegularExpression(pattern: "^(?:\(p))$") } catch {
                    throw options.error(Self.rules, "rule for '\(field)': pattern '\(p)' is not a valid regular expression")
                }
            }
            rules.append(Rule(field: field, path: field.split(separator: ".").map(String.init), type: o[FieldRules.type],
                              kind: try o[FieldRules.type].map { type in
                                  guard let kind = Kind(rawValue: type) else {
                                      throw options.error(Self.rules, "rule for '\(field)': unknown type '\(type)'")
                                  }
                                  return kind
                              },
                              required: o[FieldRules.required], nonEmpty: o[FieldRules.nonEmpty],
                              min: o[FieldRules.min], max: o[FieldRules.max],
                              minLength: o[FieldRules.minLength], maxLength: o[FieldRules.maxLength],
                              pattern: regex, patternText: o[FieldRules.pattern],
                              allowed: o[FieldRules.enum]))
        }
        self.rules = rules
        parseTime = try Expression.compile("parse_time(v)")
    }

    public func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput {
        var rejects: [Rejection] = []
        var rejected: [Int] = []
        var slots = FieldSlots(names: rules.map { $0.path.count == 1 ? $0.field : nil })
        let records = batch.records
        // Records and rules read in place: a copy of each would retain and release its parts.
        records.withUnsafeBufferPointer { records in
            for index in records.indices {
                slots.locate(in: records[index].fields.keys)
                var reasons: [String] = []
                for r in rules.indices {
                    let rule = rules[r]
                    if rule.path.count != 1 { check(rule, records[index].value[path: rule.path], &reasons) }
                    else if let slot = slots.of[r] { check(rule, records[index].fields.values[slot], &reasons) }
                    else { check(rule, .null, &reasons) }
                }
                if !reasons.isEmpty {
                    rejects.append(Rejection(record: records[index], stage: "validate", reasons: reasons))
                    rejected.append(index)
                }
            }
        }
        // Usually every record passes: the batch goes on as it came, not copied record by record.
        guard !rejected.isEmpty else { return TransformOutput(batch, rejects: []) }
        var kept: [Record] = []
        kept.reserveCapacity(records.count - rejected.count)
        var next = 0
        for index in records.indices {
            if next < rejected.count && rejected[next] == index { next += 1 } else { kept.append(records[index]) }
        }
        return TransformOutput(Batch(kept), rejects: rejects)
    }

    private func check(_ rule: Rule, _ value: Value, _ reasons: inout [String]) {
        if value.isNull {
            if rule.required { reasons.append("\(rule.field) is missing") }
            return
        }
        if let kind = rule.kind, let type = rule.type, !matches(value, kind) {
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

    private func matches(_ v: Value, _ kind: Kind) -> Bool {
        switch (kind, v) {
        case (.string, .string), (.bool, .bool), (.array, .array), (.object, .object), (.timestamp, .timestamp): return true
        case (.timestamp, .string): return (try? parseTime.evaluate(record: Fields([("v", v)]), now: Date())) != nil
        case (.int, .int): return true
        case (.int, .double), (.int, .decimal): return v.intValue != nil
        case (.number, .int), (.number, .double), (.number, .decimal): return true
        case (.decimal, .int), (.decimal, .decimal), (.decimal, .double): return true
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
