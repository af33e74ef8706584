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
            let t = trimmedSpaces(s)
            if let i = Int64(t) { return .int(i) }
            guard Double(t) != nil, let d = Decimal(string: t, locale: Numbers.posix),
                  let i = Numbers.int(Numbers.truncate(d)) else { throw failure(v, "int") }
            return .int(i)
        case .timestamp(let t): return .int(Int64(t.timeIntervalSince1970.rounded(.down)))
        case .array, .object: throw failure(v, "int")
        }
    }

    /// `s` without leading and trailing spaces and tabs (`.whitespaces`). Text with
    /// nothing to trim — nearly all of it — costs two byte reads instead of
    /// Foundation's scan (~8,000 instructions per call, measured with callgrind).
    static func trimmedSpaces(_ s: String) -> String {
        let utf8 = s.utf8
        guard let first = utf8.first, let last = utf8.last else { return s }
        func plain(_ b: UInt8) -> Bool { b < 0x80 && b != 0x20 && b != 0x09 }
        return plain(first) && plain(last) ? s : s.trimmingCharacters(in: .whitespaces)
    }

    /// Plain decimal text — an optional sign, 1 to 18 digits, a point with digits on
    /// both sides if any — as the Decimal `Decimal(string:)` gives, without its parser;
    /// nil for anything else (zero included), which takes the general path.
    static func plainDecimal(_ s: String) -> Decimal? {
        var mantissa: UInt64 = 0
        var digits = 0, fraction = 0, integerDigits = 0
        var negative = false, seenPoint = false, index = 0
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard digits < 18 else { return nil }
                mantissa = mantissa * 10 + UInt64(b - UInt8(ascii: "0"))
                digits += 1
                if seenPoint { fraction += 1 } else { integerDigits += 1 }
            case UInt8(ascii: "-") where index == 0: negative = true
            case UInt8(ascii: "+") where index == 0: break
            case UInt8(ascii: ".") where !seenPoint && integerDigits > 0: seenPoint = true
            default: return nil
            }
            index += 1
        }
        guard mantissa > 0, !seenPoint || fraction > 0 else { return nil }
        return Decimal(sign: negative ? .minus : .plus, exponent: -fraction, significand: Decimal(mantissa))
    }

    static func toDouble(_ v: Value) throws -> Value {
        switch v {
        case .null, .double: return v
        case .bool(let b): return .double(b ? 1 : 0)
        case .int(let i): return .double(Double(i))
        case .decimal(let d): return .double(Numbers.double(d))
        case .string(let s):
            guard let d = Double(trimmedSpaces(s)) else { throw failure(v, "double") }
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
            let t = trimmedSpaces(s)
            if let d = plainDecimal(t) { return .decimal(d) }
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
