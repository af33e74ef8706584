import ETLCore

/// One library function, declared once: its documentation (for `etl docs`),
/// its arity and argument kinds (for compile-time checks) and its body.
public struct FunctionSpec: @unchecked Sendable {
    public let name: String
    /// How it is called, e.g. `substr(s, start, len?) -> string`.
    public let signature: String
    public let doc: String
    public let minArity: Int
    /// nil for variadic functions.
    public let maxArity: Int?

    public var arity: ClosedRange<Int> { minArity...(maxArity ?? Int.max) }

    /// Accepted kinds per argument; the last entry repeats for variadic functions.
    let parameters: [ArgumentKinds]
    let returns: StaticType?
    let body: FunctionBody

    init(_ name: String, _ signature: String, _ doc: String, arity: ClosedRange<Int>, variadic: Bool = false,
         parameters: [ArgumentKinds] = [], returns: StaticType? = nil, _ body: FunctionBody) {
        self.name = name; self.signature = signature; self.doc = doc
        self.minArity = arity.lowerBound
        self.maxArity = variadic ? nil : arity.upperBound
        self.parameters = parameters; self.returns = returns; self.body = body
    }

    func parameterKinds(at i: Int) -> ArgumentKinds {
        if i < parameters.count { return parameters[i] }
        return parameters.last ?? .any
    }

    var arityText: String {
        guard let maxArity else { return "at least \(minArity) argument\(minArity == 1 ? "" : "s")" }
        if minArity == maxArity { return "\(minArity) argument\(minArity == 1 ? "" : "s")" }
        return "\(minArity) to \(maxArity) arguments"
    }
}

/// Function bodies by arity, so the common one- and two-argument calls need no argument array.
enum FunctionBody {
    case nullary((EvalContext) throws -> Value)
    case unary((Value) throws -> Value)
    case binary((Value, Value) throws -> Value)
    case variadic(([Value]) throws -> Value)
    /// Handled by the compiler itself (`exists` looks at a path, not a value).
    case special
}

/// Argument checks shared by function bodies; messages name the function.
enum Args {
    static func string(_ v: Value, _ function: String, _ position: Int = 1) throws -> String {
        if case .string(let s) = v { return s }
        throw wrongType(v, function, position, "a string")
    }

    static func int(_ v: Value, _ function: String, _ position: Int) throws -> Int {
        if case .int(let i) = v, let n = Int(exactly: i) { return n }
        if let i = v.intValue, let n = Int(exactly: i) { return n }
        throw wrongType(v, function, position, "an integer")
    }

    static func array(_ v: Value, _ function: String, _ position: Int = 1) throws -> [Value] {
        if case .array(let a) = v { return a }
        throw wrongType(v, function, position, "a list")
    }

    static func wrongType(_ v: Value, _ function: String, _ position: Int, _ expected: String) -> ExpressionRuntimeError {
        ExpressionRuntimeError("\(function): argument \(position) must be \(expected), got \(v.typeName) \(quoted(v))")
    }
}
