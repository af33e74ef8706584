import Foundation
import ETLCore

/// to_int / to_double / to_decimal / to_string. Null converts to null;
/// text that is not a number is an error naming the function and the value.
enum Conversions {
    static func toInt(_ v: Value) throws -> Value {
        switch v {
        case .null, .int: return v
        case .bool(let b): return .int(b ? 1 : 0)
        case .double(let d):
            guard d.isFinite, d > -9.3e18, d < 9.3e18, let i = Int64(exactly: d.rounded(.towardZero)) else { throw failure(v, "int") }
            return .int(i)
        case .decimal(let d):
            guard let i = Numbers.int(Numbers.truncate(d)) else { throw failure(v, "int") }
            return .int(i)
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            if let i = Int64(t) { return .int(i) }
            guard Double(t) != nil, let d = Decimal(string: t, locale: Numbers.posix),
                  let i = Numbers.int(Numbers.truncate(d)) else { throw failure(v, "int") }
            return .int(i)
        case .timestamp(let t): return .int(Int64(t.timeIntervalSince1970.rounded(.down)))
        case .array, .object: throw failure(v, "int")
        }
    }

    static func toDouble(_ v: Value) throws -> Value {
        switch v {
        case .null, .double: return v
        case .bool(let b): return .double(b ? 1 : 0)
        case .int(let i): return .double(Double(i))
        case .decimal(let d): return .double(Numbers.double(d))
        case .string(let s):
            guard let d = Double(s.trimmingCharacters(in: .whitespaces)) else { throw failure(v, "double") }
            return .double(d)
        case .timestamp(let t): return .double(t.timeIntervalSince1970)
        case .array, .object: throw failure(v, "double")
        }
    }

    static func toDecimal(_ v: Value) throws -> Value {
        switch v {
        case .null, .decimal: return v
        case .bool(let b): return .decimal(b ? 1 : 0)
        case .int, .double:
            guard let d = Numbers.decimal(v) else { throw failure(v, "decimal") }
            return .decimal(d)
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            // Decimal(string:) accepts a prefix ("12abc" → 12); Double's parser is strict, so it vets the text.
            guard Double(t) != nil, let d = Decimal(string: t, locale: Numbers.posix) else { throw failure(v, "decimal") }
            return .decimal(d)
        case .timestamp, .array, .object: throw failure(v, "decimal")
        }
    }

    static func toString(_ v: Value) -> Value {
        if case .string = v { return v }
        return v.isNull ? .null : .string(v.text)
    }

    private static func failure(_ v: Value, _ type: String) -> ExpressionRuntimeError {
        ExpressionRuntimeError("to_\(type): cannot convert \(quoted(v)) to \(type)")
    }
}
