import Foundation
import ETLCore

/// `+ - * / %` on values. Null in, null out; int overflow widens to decimal
/// rather than wrapping; division by zero is an error.
enum Arithmetic {
    static func apply(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value {
        switch op {
        case .add: return try add(a, b)
        case .subtract: return try subtract(a, b)
        case .multiply: return try multiply(a, b)
        case .divide: return try divide(a, b)
        case .remainder: return try remainder(a, b)
        default: return .null
        }
    }

    @inline(__always)
    static func add(_ a: Value, _ b: Value) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b {
            let (r, overflow) = x.addingReportingOverflow(y)
            return overflow ? .decimal(Decimal(x) + Decimal(y)) : .int(r)
        }
        switch (a, b) {
        case (.string(let x), .string(let y)): return .string(x + y)
        case (.string(let x), _): return .string(x + b.text)
        case (_, .string(let y)): return .string(a.text + y)
        case (.null, _), (_, .null): return .null
        case (.timestamp(let t), _) where Numbers.isNumber(b): return .timestamp(t.addingTimeInterval(b.doubleValue ?? 0))
        case (_, .timestamp(let t)) where Numbers.isNumber(a): return .timestamp(t.addingTimeInterval(a.doubleValue ?? 0))
        case (.array(let x), .array(let y)): return .array(x + y)
        default: break
        }
        switch NumericPair(a, b) {
        case .doubles(let x, let y): return .double(x + y)
        case .decimals(let x, let y): return .decimal(x + y)
        case .ints(let x, let y): return .decimal(Decimal(x) + Decimal(y))
        case nil: throw mismatch("+", "add", a, b)
        }
    }

    @inline(__always)
    static func subtract(_ a: Value, _ b: Value) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b {
            let (r, overflow) = x.subtractingReportingOverflow(y)
            return overflow ? .decimal(Decimal(x) - Decimal(y)) : .int(r)
        }
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case (.timestamp(let x), .timestamp(let y)): return .double(x.timeIntervalSince(y))
        case (.timestamp(let t), _) where Numbers.isNumber(b): return .timestamp(t.addingTimeInterval(-(b.doubleValue ?? 0)))
        default: break
        }
        switch NumericPair(a, b) {
        case .doubles(let x, let y): return .double(x - y)
        case .decimals(let x, let y): return .decimal(x - y)
        case .ints(let x, let y): return .decimal(Decimal(x) - Decimal(y))
        case nil: throw mismatch("-", "subtract", a, b)
        }
    }

    @inline(__always)
    static func multiply(_ a: Value, _ b: Value) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b {
            let (r, overflow) = x.multipliedReportingOverflow(by: y)
            return overflow ? .decimal(Decimal(x) * Decimal(y)) : .int(r)
        }
        if a.isNull || b.isNull { return .null }
        switch NumericPair(a, b) {
        case .doubles(let x, let y): return .double(x * y)
        case .decimals(let x, let y): return .decimal(x * y)
        case .ints(let x, let y): return .decimal(Decimal(x) * Decimal(y))
        case nil: throw mismatch("*", "multiply", a, b)
        }
    }

    /// int / int stays int when it divides exactly (6 / 3 = 2), else gives a double (7 / 2 = 3.5).
    static func divide(_ a: Value, _ b: Value) throws -> Value {
        if a.isNull || b.isNull { return .null }
        switch NumericPair(a, b) {
        case .ints(let x, let y):
            guard y != 0 else { throw divisionByZero("/", a) }
            let (q, overflow) = x.dividedReportingOverflow(by: y)
            if overflow { return .decimal(Decimal(x) / Decimal(y)) }
            return q &* y == x ? .int(q) : .double(Double(x) / Double(y))
        case .doubles(let x, let y):
            guard y != 0 else { throw divisionByZero("/", a) }
            return .double(x / y)
        case .decimals(let x, let y):
            guard y != 0 else { throw divisionByZero("/", a) }
            return .decimal(x / y)
        case nil: throw mismatch("/", "divide", a, b)
        }
    }

    static func remainder(_ a: Value, _ b: Value) throws -> Value {
        if a.isNull || b.isNull { return .null }
        switch NumericPair(a, b) {
        case .ints(let x, let y):
            guard y != 0 else { throw divisionByZero("%", a) }
            return .int(x.remainderReportingOverflow(dividingBy: y).partialValue)
        case .doubles(let x, let y):
            guard y != 0 else { throw divisionByZero("%", a) }
            return .double(x.truncatingRemainder(dividingBy: y))
        case .decimals(let x, let y):
            guard y != 0 else { throw divisionByZero("%", a) }
            return .decimal(x - y * Numbers.truncate(x / y))
        case nil: throw mismatch("%", "take the remainder of", a, b)
        }
    }

    static func negate(_ v: Value) throws -> Value {
        switch v {
        case .null: return .null
        case .int(let i):
            let (r, overflow) = Int64(0).subtractingReportingOverflow(i)
            return overflow ? .decimal(-Decimal(i)) : .int(r)
        case .double(let d): return .double(-d)
        case .decimal(let d): return .decimal(-d)
        default: throw ExpressionRuntimeError("-: cannot negate \(v.typeName) \(quoted(v))")
        }
    }

    private static func mismatch(_ op: String, _ verb: String, _ a: Value, _ b: Value) -> ExpressionRuntimeError {
        ExpressionRuntimeError("\(op): cannot \(verb) \(a.typeName) \(quoted(a)) and \(b.typeName) \(quoted(b))")
    }

    private static func divisionByZero(_ op: String, _ a: Value) -> ExpressionRuntimeError {
        ExpressionRuntimeError("\(op): division by zero (\(quoted(a)) \(op) 0)")
    }
}
