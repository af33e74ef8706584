import Foundation
import ETLCore
import ETLExpr
import struct ETLExpr.Expression

/// Converts fields to declared types, explicitly: "42" → 42, "2026-11-23" → timestamp.
/// A value that cannot be converted rejects the record with the reason.
public final class CoerceTransform: TransformConnector {
    static let fields = OptionKey<Fields>("fields", .map(.oneOf(["int", "double", "decimal", "string", "bool", "timestamp"])), required: true,
                                          doc: "Field → target type.", example: "{qty: int, price: decimal, closeDate: timestamp}")
    static let timeFormat = OptionKey<String?>("time_format", doc: "strftime-style format for timestamps (%Y-%m-%d %H:%M:%S); ISO-8601 when absent.")
    static let nullIfEmpty = OptionKey<Bool>("null_if_empty", default: true, doc: "An empty string becomes null instead of failing.")

    public static let spec = ConnectorSpec(
        kind: .transform, name: "coerce",
        summary: "Convert fields to int, double, decimal, string, bool or timestamp.",
        options: [fields, timeFormat, nullIfEmpty],
        example: """
        transforms:
          - type: coerce
            fields: {amount: decimal, closeDate: timestamp}
        """)

    let fields: [(String, String)]
    let timeFormat: String?
    let nullIfEmpty: Bool
    let converters: [String: Expression]

    public init(options: Options, context: BuildContext) throws {
        fields = options[Self.fields].map { ($0.0, $0.1.text) }
        timeFormat = options[Self.timeFormat]
        nullIfEmpty = options[Self.nullIfEmpty]
        let fmt = timeFormat.map { ", " + JSONWriter.string(.string($0)) } ?? ""
        converters = [
            "int": try Expression.compile("to_int(v)"), "double": try Expression.compile("to_double(v)"),
            "decimal": try Expression.compile("to_decimal(v)"), "string": try Expression.compile("to_string(v)"),
            "timestamp": try Expression.compile("parse_time(v\(fmt))"),
        ]
    }

    public func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput {
        var out: [Record] = []
        var rejects: [Rejection] = []
        for input in batch.records {
            var record = input
            var reasons: [String] = []
            for (name, type) in fields {
                guard let value = record[name], !value.isNull else { continue }
                if nullIfEmpty, value.stringValue?.trimmingCharacters(in: .whitespaces).isEmpty == true { record[name] = .null; continue }
                do { record[name] = try convert(value, to: type, now: context.startedAt) }
                catch { reasons.append("\(name): \(error)") }
            }
            // A reject shows the record as it came in, not half converted.
            if reasons.isEmpty { out.append(record) } else { rejects.append(Rejection(record: input, stage: "coerce", reasons: reasons)) }
        }
        return TransformOutput(Batch(out), rejects: rejects)
    }

    func convert(_ value: Value, to type: String, now: Date) throws -> Value {
        if type == "bool" {
            switch value {
            case .bool: return value
            case .int(let i) where i == 0 || i == 1: return .bool(i == 1)
            case .string(let s):
                switch s.lowercased() {
                case "true", "t", "yes", "y", "1": return .bool(true)
                case "false", "f", "no", "n", "0": return .bool(false)
                default: break
                }
            default: break
            }
            throw ETLError("cannot convert \(value.typeName) \"\(value.text)\" to bool")
        }
        guard let converter = converters[type] else { return value }
        let converted = try converter.evaluate(record: Fields([("v", value)]), variables: nil, now: now)
        // to_int truncates; a quantity of "12.5" must not silently become 12.
        if type == "int", case .int(let i) = converted, value.typeName != "bool", value.typeName != "timestamp",
           let exact = try? converters["decimal"]?.evaluate(record: Fields([("v", value)]), variables: nil, now: now),
           case .decimal(let d) = exact, d != Decimal(i) {
            throw ETLError("cannot convert \(value.typeName) \(value.typeName == "string" ? "\"\(value.text)\"" : value.text) to int without losing the fraction")
        }
        return converted
    }
}
