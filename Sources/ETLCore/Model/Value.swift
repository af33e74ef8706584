import Foundation

/// The one value model every stage speaks. JSON, YAML, CSV and PostgreSQL rows
/// map onto it without loss: `numeric` stays `.decimal`, `bigint` stays `.int`.
public enum Value: Equatable, Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case decimal(Decimal)
    case string(String)
    case timestamp(Date)
    case array([Value])
    case object(Fields)

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "double"
        case .decimal: return "decimal"
        case .string: return "string"
        case .timestamp: return "timestamp"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
        case .decimal(let d):
            let r = NSDecimalNumber(decimal: d)
            if d == Decimal(r.int64Value) { return r.int64Value }
            return nil
        default: return nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .decimal(let d): return NSDecimalNumber(decimal: d).doubleValue
        default: return nil
        }
    }
    public var arrayValue: [Value]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: Fields? { if case .object(let o) = self { return o } else { return nil } }

    /// Follows a dotted path (`data.account.name`, `lines.0.sku`); missing parts give `.null`.
    public subscript(path path: [String]) -> Value {
        var current = self
        for part in path {
            switch current {
            case .object(let fields): current = fields[part] ?? .null
            case .array(let items):
                guard let i = Int(part), i >= 0, i < items.count else { return .null }
                current = items[i]
            default: return .null
            }
        }
        return current
    }

    /// The text form used in messages, CSV cells and COPY rows.
    public var text: String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .decimal(let d): return d.description
        case .string(let s): return s
        case .timestamp(let t): return Timestamps.iso8601Exact(t)
        case .array, .object: return JSONWriter.string(self)
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
                 ExpressibleByFloatLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral,
                 ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        var f = Fields()
        for (k, v) in elements { f[k] = v }
        self = .object(f)
    }
}

/// UTC timestamp formatting shared by logs, archive keys and COPY.
public enum Timestamps {
    /// `2026-11-23T02:00:00.123Z`: milliseconds, truncated (as Foundation's
    /// ISO8601DateFormatter printed it), built by hand — a formatter per call
    /// cost more than the rest of writing a record.
    public static func iso8601(_ date: Date) -> String {
        guard let micros = microseconds(date) else { return "\(date)" }
        var out: [UInt8] = []
        render(micros - floorMod(micros, 1000), microsecondDigits: false, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Like `iso8601`, but lossless for values (PostgreSQL timestamps) that carry
    /// microseconds: `…00.123456Z` when the instant has them, `…00.123Z` otherwise.
    /// Values and records print this way.
    public static func iso8601Exact(_ date: Date) -> String {
        var out: [UInt8] = []
        appendISO8601Exact(date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `iso8601Exact`, appended to a byte buffer (JSON output).
    public static func appendISO8601Exact(_ date: Date, to out: inout [UInt8]) {
        guard let micros = microseconds(date) else { out.append(contentsOf: "\(date)".utf8); return }
        render(micros, microsecondDigits: floorMod(micros, 1000) != 0, to: &out)
    }

    private static func microseconds(_ date: Date) -> Int64? {
        let scaled = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard scaled.isFinite, abs(scaled) < 9.2e18 else { return nil }
        return Int64(scaled)
    }

    private static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { let r = a % b; return r < 0 ? r + b : r }

    private static func render(_ micros: Int64, microsecondDigits: Bool, to out: inout [UInt8]) {
        let perDay: Int64 = 86_400_000_000
        let rest = floorMod(micros, perDay)
        let days = (micros - rest) / perDay
        let civil = CivilCalendar.date(days: Int(days))
        let seconds = Int(rest / 1_000_000), fraction = Int(rest % 1_000_000)
        if civil.year < 0 { out.append(UInt8(ascii: "-")) }
        digits(abs(civil.year), 4, then: UInt8(ascii: "-"), to: &out)
        digits(civil.month, 2, then: UInt8(ascii: "-"), to: &out)
        digits(civil.day, 2, then: UInt8(ascii: "T"), to: &out)
        digits(seconds / 3600, 2, then: UInt8(ascii: ":"), to: &out)
        digits(seconds / 60 % 60, 2, then: UInt8(ascii: ":"), to: &out)
        digits(seconds % 60, 2, then: UInt8(ascii: "."), to: &out)
        if microsecondDigits { digits(fraction, 6, then: UInt8(ascii: "Z"), to: &out) } else { digits(fraction / 1000, 3, then: UInt8(ascii: "Z"), to: &out) }
    }

    /// A fixed-width field, most significant digit first (wider values keep
    /// their extra leading digits), then `separator`: no reversing, no temporaries.
    @inline(__always)
    private static func digits(_ value: Int, _ width: Int, then separator: UInt8, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        if v >= divisor * 10 { out.append(contentsOf: String(v / (divisor * 10)).utf8); v %= divisor * 10 }
        while divisor > 0 { out.append(UInt8(truncatingIfNeeded: 48 + v / divisor % 10)); divisor /= 10 }
        out.append(separator)
    }

    /// Formats with a strftime-like subset: %Y %m %d %H %M %S (`%%` is a
    /// literal `%`), in UTC; any other `%x` is kept as written. The one
    /// renderer for file paths and archive keys.
    public static func format(_ date: Date, _ pattern: String) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let civil = CivilCalendar.date(days: days)
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        var out = ""
        var it = pattern.makeIterator()
        while let ch = it.next() {
            guard ch == "%", let code = it.next() else { out.append(ch); continue }
            switch code {
            case "Y": out += pad(civil.year, 4)
            case "m": out += pad(civil.month, 2)
            case "d": out += pad(civil.day, 2)
            case "H": out += pad(secondOfDay / 3600, 2)
            case "M": out += pad(secondOfDay / 60 % 60, 2)
            case "S": out += pad(secondOfDay % 60, 2)
            case "%": out += "%"
            default: out.append("%"); out.append(code)
            }
        }
        return out
    }
}
