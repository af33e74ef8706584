import Foundation
import ETLCore

/// Two numeric operands brought to one representation: int with int stays int,
/// any decimal makes both decimal (exact money maths), otherwise double.
enum NumericPair {
    case ints(Int64, Int64)
    case doubles(Double, Double)
    case decimals(Decimal, Decimal)

    @inline(__always)
    init?(_ a: Value, _ b: Value) {
        switch (a, b) {
        case (.int(let x), .int(let y)): self = .ints(x, y)
        case (.double(let x), .double(let y)): self = .doubles(x, y)
        case (.int(let x), .double(let y)): self = .doubles(Double(x), y)
        case (.double(let x), .int(let y)): self = .doubles(x, Double(y))
        case (.decimal, _), (_, .decimal):
            guard let x = Numbers.decimal(a), let y = Numbers.decimal(b) else { return nil }
            self = .decimals(x, y)
        default: return nil
        }
    }
}

enum Numbers {
    /// Exact decimal of a number. A double goes through its shortest text form, so 0.1 becomes 0.1, not 0.1000000000000000055.
    static func decimal(_ v: Value) -> Decimal? {
        switch v {
        case .int(let i): return Decimal(i)
        case .decimal(let d): return d
        case .double(let d): return d.isFinite ? Decimal(string: String(d), locale: posix) : nil
        default: return nil
        }
    }

    static let posix = Locale(identifier: "en_US_POSIX")

    static func isNumber(_ v: Value) -> Bool {
        switch v {
        case .int, .double, .decimal: return true
        default: return false
        }
    }

    /// The double nearest to a decimal's exact text (19.99 → 19.99, where NSDecimalNumber.doubleValue gives 19.990000000000002).
    static func double(_ d: Decimal) -> Double {
        Double(d.description) ?? NSDecimalNumber(decimal: d).doubleValue
    }

    /// Rounds a decimal toward zero to `scale` digits.
    static func truncate(_ d: Decimal, scale: Int = 0) -> Decimal {
        var input = d, out = Decimal()
        NSDecimalRound(&out, &input, scale, d < 0 ? .up : .down)
        return out
    }

    static func round(_ d: Decimal, scale: Int, _ mode: NSDecimalNumber.RoundingMode) -> Decimal {
        var input = d, out = Decimal()
        NSDecimalRound(&out, &input, scale, mode)
        return out
    }

    /// An Int64 if the decimal is whole and fits.
    static func int(_ d: Decimal) -> Int64? {
        guard truncate(d) == d, d >= Decimal(Int64.min), d <= Decimal(Int64.max) else { return nil }
        return NSDecimalNumber(decimal: d).int64Value
    }
}
