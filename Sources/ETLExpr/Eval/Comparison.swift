import Foundation
import ETLCore

/// `== != < <= > >=`. Numbers compare by value across int, double and decimal;
/// strings lexicographically; timestamps by time. Ordering against null gives
/// null (a condition that does not hold); ordering unrelated types is an error.
enum Comparison {
    @inline(__always)
    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        default: break
        }
        if let pair = NumericPair(a, b) {
            switch pair {
            case .ints(let x, let y): return x == y
            case .doubles(let x, let y): return x == y
            case .decimals(let x, let y): return x == y
            }
        }
        return a == b
    }

    /// -1, 0 or 1; nil when either side is null.
    @inline(__always)
    static func order(_ a: Value, _ b: Value, _ op: String) throws -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.string(let x), .string(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.timestamp(let x), .timestamp(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.null, _), (_, .null): return nil
        default: break
        }
        switch NumericPair(a, b) {
        case .ints(let x, let y): return x < y ? -1 : (x == y ? 0 : 1)
        case .doubles(let x, let y): return x < y ? -1 : (x == y ? 0 : 1)
        case .decimals(let x, let y): return x < y ? -1 : (x == y ? 0 : 1)
        case nil:
            throw ExpressionRuntimeError("\(op): cannot compare \(a.typeName) \(quoted(a)) with \(b.typeName) \(quoted(b))")
        }
    }

    static func apply(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value {
        switch op {
        case .equal: return .bool(equal(a, b))
        case .notEqual: return .bool(!equal(a, b))
        default:
            guard let o = try order(a, b, op.rawValue) else { return .null }
            switch op {
            case .less: return .bool(o < 0)
            case .lessOrEqual: return .bool(o <= 0)
            case .greater: return .bool(o > 0)
            default: return .bool(o >= 0)
            }
        }
    }

    /// `x in list` (element equality as `==`), `s in text` (substring), `k in object` (key).
    static func contains(_ container: Value, _ item: Value) throws -> Value {
        switch container {
        case .array(let items): return .bool(items.contains { equal($0, item) })
        case .string(let s):
            guard case .string(let sub) = item else { return item.isNull ? .null : .bool(s.contains(item.text)) }
            return .bool(s.contains(sub))
        case .object(let fields): return .bool(fields[item.text] != nil)
        case .null: return .null
        default: throw ExpressionRuntimeError("in: expected a list, string or object on the right, got \(container.typeName) \(quoted(container))")
        }
    }
}
