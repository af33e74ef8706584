import Foundation
import ETLCore

/// A compiled expression of the pipeline language (map fields, filter and route
/// conditions, notifier `when:` rules). Compile once, evaluate per record: the
/// compiled form is a tree of closures, so evaluation never re-parses, and the
/// record fast path allocates nothing for the scope.
///
///     let e = try Expression.compile("qty > 0 and sku != \"\"")
///     let keep = Expression.isTruthy(try e.evaluate(record: fields, variables: nil, now: run.startedAt))
///
/// Immutable after compiling, so one instance may be shared between threads.
///
/// Foundation (Swift 6) declares an `Expression` too, so in a file importing
/// both the bare name is ambiguous. Such a file adds
/// `import struct ETLExpr.Expression`: a scoped import wins over whole-module
/// imports, so the code keeps saying `Expression` everywhere, with no alias to
/// repeat in each module.
public struct Expression: @unchecked Sendable, CustomStringConvertible {
    /// The text it was compiled from.
    public var source: String { parts.source }
    /// Top-level names the expression reads (`data` for `data.account.name`;
    /// the key for `record["weird key"]`), so validation can check they exist.
    /// Function names and the `record` keyword are not included.
    public var referencedVariables: Set<String> { parts.referencedVariables }
    private var root: Eval { parts.root }

    /// Everything in one box: a map evaluates each of its expressions for every record,
    /// and each call copied the expression, three retains and releases when these were
    /// three stored properties, one now.
    private final class Parts {
        let source: String
        let referencedVariables: Set<String>
        let root: Eval
        init(source: String, referencedVariables: Set<String>, root: @escaping Eval) {
            self.source = source; self.referencedVariables = referencedVariables; self.root = root
        }
    }
    private let parts: Parts

    private init(source: String, referencedVariables: Set<String>, root: @escaping Eval) {
        parts = Parts(source: source, referencedVariables: referencedVariables, root: root)
    }

    public var description: String { source }

    /// Parses and checks `source`. Throws `ExpressionError` with the character offset of the bad token.
    public static func compile(_ source: String) throws -> Expression {
        let node = try Parser.parse(source)
        let compiler = Compiler()
        let compiled = try compiler.compile(node)
        return Expression(source: source, referencedVariables: compiler.referencedVariables, root: compiled.eval)
    }

    /// Evaluates over any scope. Throws `ExpressionRuntimeError`.
    public func evaluate(_ scope: Scope) throws -> Value {
        if let fields = scope as? FieldsScope {
            return try root(EvalContext(record: fields.record, variables: fields.variables, scope: nil, now: fields.now))
        }
        return try root(EvalContext(record: Fields(), variables: nil, scope: scope, now: scope.now))
    }

    /// The fast path: names are looked up in `record` first, then in `variables`.
    /// Pass the run's start time as `now` so every record sees the same `now()`.
    @inline(__always)
    public func evaluate(record: Fields, variables: Fields? = nil, now: Date) throws -> Value {
        try root(EvalContext(record: record, variables: variables, scope: nil, now: now))
    }

    /// Evaluates as a condition: only `.bool(true)` holds (see `isTruthy`).
    public func holds(record: Fields, variables: Fields? = nil, now: Date) throws -> Bool {
        Expression.isTruthy(try evaluate(record: record, variables: variables, now: now))
    }

    /// Every library function, for documentation and editors.
    public static var functionSpecs: [FunctionSpec] { FunctionLibrary.all }

    /// Compiles a message template with `{{ expr }}` placeholders.
    public static func compileTemplate(_ text: String) throws -> Template { try Template(text) }
}
