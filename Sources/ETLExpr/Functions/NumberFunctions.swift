import Foundation
import ETLCore

/// Numeric functions. They keep the argument's kind (int stays int, decimal
/// stays decimal) and give null for null.
enum NumberFunctions {
    static let specs: [FunctionSpec] = [
        FunctionSpec("to_int", "to_int(x) -> int", "Converts a number (truncating), numeric text, bool or timestamp (epoch seconds) to int.",
                     arity: 1...1, parameters: [.any], returns: .int, .unary(Conversions.toInt)),
        FunctionSpec("to_decimal", "to_decimal(x) -> decimal", "Converts a number or numeric text to an exact decimal (to_decimal(\"0.1\")).",
                     arity: 1...1, parameters: [[.bool, .number, .string]], returns: .decimal, .unary(Conversions.toDecimal)),
        FunctionSpec("to_double", "to_double(x) -> double", "Converts a number, numeric text, bool or timestamp (epoch seconds) to double.",
                     arity: 1...1, parameters: [.any], returns: .double, .unary(Conversions.toDouble)),
        FunctionSpec("to_string", "to_string(x) -> string", "The text form of any value (lists and objects as JSON).",
                     arity: 1...1, parameters: [.any], returns: .string, .unary(Conversions.toString)),
        FunctionSpec("round", "round(x, digits?) -> number", "Rounds half away from zero to `digits` decimal places (default 0); keeps the kind.",
                     arity: 1...2, parameters: [.number, .number], .variadic { a in
            try round(a[0], digits: a.count > 1 && !a[1].isNull ? try Args.int(a[1], "round", 2) : 0)
        }),
        FunctionSpec("abs", "abs(x) -> number", "Absolute value.", arity: 1...1, parameters: [.number], .unary { v in
            switch v {
            case .null: return .null
            case .int(let i): return i == Int64.min ? .decimal(-Decimal(i)) : .int(Swift.abs(i))
            case .double(let d): return .double(Swift.abs(d))
            case .decimal(let d): return .decimal(d < 0 ? -d : d)
            default: throw Args.wrongType(v, "abs", 1, "a number")
            }
        }),
        FunctionSpec("floor", "floor(x) -> number", "Largest whole number not above x.", arity: 1...1, parameters: [.number], .unary { v in
            try wholeRound(v, "floor", .down, .down)
        }),
        FunctionSpec("ceil", "ceil(x) -> number", "Smallest whole number not below x.", arity: 1...1, parameters: [.number], .unary { v in
            try wholeRound(v, "ceil", .up, .up)
        }),
        FunctionSpec("min", "min(a, b, ...) or min(list)", "The smallest argument (or item of one list), ignoring nulls; null if none.",
                     arity: 1...1, variadic: true, parameters: [.any], .variadic { a in try extreme(a, "min", wantLess: true) }),
        FunctionSpec("max", "max(a, b, ...) or max(list)", "The largest argument (or item of one list), ignoring nulls; null if none.",
                     arity: 1...1, variadic: true, parameters: [.any], .variadic { a in try extreme(a, "max", wantLess: false) }),
    ]

    static func round(_ v: Value, digits: Int) throws -> Value {
        switch v {
        case .null: return .null
        case .int where digits >= 0: return v
        case .int(let i):
            guard let r = Numbers.int(Numbers.round(Decimal(i), scale: digits, .plain)) else { return .decimal(Numbers.round(Decimal(i), scale: digits, .plain)) }
            return .int(r)
        case .double(let d):
            if digits == 0 { return .double(d.rounded(.toNearestOrAwayFromZero)) }
            // Through the shortest decimal text, so round(2.345, 2) is 2.35 as written, not 2.34 from binary 2.34499….
            guard let exact = Numbers.decimal(v) else { return v }
            return .double(Numbers.double(Numbers.round(exact, scale: digits, .plain)))
        case .decimal(let d): return .decimal(Numbers.round(d, scale: digits, .plain))
        default: throw Args.wrongType(v, "round", 1, "a number")
        }
    }

    private static func wholeRound(_ v: Value, _ name: String, _ rule: FloatingPointRoundingRule,
                                   _ mode: NSDecimalNumber.RoundingMode) throws -> Value {
        switch v {
        case .null, .int: return v
        case .double(let d): return .double(d.rounded(rule))
        case .decimal(let d): return .decimal(Numbers.round(d, scale: 0, mode))
        default: throw Args.wrongType(v, name, 1, "a number")
        }
    }

    private static func extreme(_ args: [Value], _ name: String, wantLess: Bool) throws -> Value {
        let items: [Value]
        if args.count == 1, case .array(let list) = args[0] { items = list } else { items = args }
        var best: Value = .null
        for item in items where !item.isNull {
            if best.isNull { best = item; continue }
            guard let o = try Comparison.order(item, best, name) else { continue }
            if wantLess ? o < 0 : o > 0 { best = item }
        }
        return best
    }
}
