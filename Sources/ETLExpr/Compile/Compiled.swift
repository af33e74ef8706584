import ETLCore

typealias Eval = (EvalContext) throws -> Value
/// For field paths: the value, or nil when the path is missing (so `exists` can tell missing from null).
typealias Resolve = (EvalContext) throws -> Value?

/// A compiled sub-expression: the closure that evaluates it plus what the
/// compiler knows about it statically.
struct Compiled {
    var eval: Eval
    var type: StaticType?
    var resolve: Resolve? = nil
    var constant: Value? = nil

    static func constant(_ v: Value) -> Compiled {
        Compiled(eval: { _ in v }, type: StaticType(v), resolve: nil, constant: v)
    }

    static func path(_ resolve: @escaping Resolve) -> Compiled {
        Compiled(eval: { ctx in try resolve(ctx) ?? .null }, type: nil, resolve: resolve, constant: nil)
    }
}

/// Field access shared by `a.b` and `a["b"]`/`a[0]`.
enum Access {
    @inline(__always)
    static func member(_ v: Value, _ key: String) -> Value? {
        switch v {
        case .object(let fields):
            let keys = fields.keys
            for i in keys.indices where keys[i] == key { return fields.values[i] }
            return nil
        case .array(let items):
            guard let i = Int(key), i >= 0, i < items.count else { return nil }
            return items[i]
        default: return nil
        }
    }

    /// Lists take an int (negative counts from the end), objects a string.
    static func index(_ v: Value, _ i: Value) -> Value? {
        switch (v, i) {
        case (.array(let items), .int(let n)):
            let k = n < 0 ? Int64(items.count) + n : n
            // (Not a ternary: Value is nil-literal convertible, so `: nil` would become .null, not "missing".)
            guard k >= 0, k < Int64(items.count) else { return Optional.none }
            return items[Int(k)]
        case (.object, .string(let key)): return member(v, key)
        case (.string(let s), .int(let n)):
            let k = n < 0 ? s.count + Int(n) : Int(n)
            guard k >= 0, k < s.count else { return nil }
            return .string(String(s[s.index(s.startIndex, offsetBy: k)]))
        default: return nil
        }
    }
}
