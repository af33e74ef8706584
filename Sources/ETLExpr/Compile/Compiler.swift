import Foundation
import ETLCore

/// Turns a parsed tree into nested closures, checking what can be checked
/// before any record is seen: function names and arities, argument and
/// operand types of literals, regex and format templates.
final class Compiler {
    private(set) var referencedVariables = Set<String>()

    func compile(_ node: Node) throws -> Compiled {
        switch node.kind {
        case .literal(let v): return .constant(v)
        case .name(let name): return compileName(name)
        case .member(let base, let key): return try compileMember(node, base, key)
        case .index(let base, let index): return try compileIndex(base, index)
        case .negate(let operand):
            let o = try compile(operand)
            if let t = o.type, !(t.isNumber || t == .null) {
                throw ExpressionError("cannot negate a \(t.rawValue)", offset: node.operatorOffset, length: 1)
            }
            let e = o.eval
            return Compiled(eval: { ctx in try Arithmetic.negate(try e(ctx)) }, type: o.type)
        case .not(let operand):
            let o = try compile(operand)
            try requireBool(o, operand, "'not'")
            let e = o.eval
            return Compiled(eval: { ctx in .bool(!(try conditionTruth(try e(ctx), "not"))) }, type: .bool)
        case .and(let operands): return try compileAnd(operands)
        case .or(let operands): return try compileOr(operands)
        case .coalesce(let operands): return try compileCoalesce(operands)
        case .arithmetic(let first, let steps): return try compileArithmeticChain(first, steps)
        case .conditional(let c, let t, let f):
            let cond = try compile(c), yes = try compile(t), no = try compile(f)
            try requireBool(cond, c, "'if'")
            let test = cond.eval, a = yes.eval, b = no.eval
            return Compiled(eval: { ctx in
                try conditionTruth(try test(ctx), "if") ? try a(ctx) : try b(ctx)
            }, type: yes.type == no.type ? yes.type : nil)
        case .membership(let item, let container, let negated):
            let i = try compile(item), c = try compile(container)
            if let t = c.type, ![.array, .string, .object, .null].contains(t) {
                throw ExpressionError("'in' needs a list, string or object on the right, got \(t.rawValue)",
                                      offset: container.offset, length: container.length, hint: "e.g. status in [\"failed\", \"timeout\"]")
            }
            let x = i.eval, y = c.eval
            return Compiled(eval: { ctx in
                let r = try Comparison.contains(try y(ctx), try x(ctx))
                guard negated, case .bool(let b) = r else { return r }
                return .bool(!b)
            }, type: .bool)
        case .array(let items):
            let compiled = try items.map(compile)
            if compiled.allSatisfy({ $0.constant != nil }) { return .constant(.array(compiled.map { $0.constant ?? .null })) }
            let evals = compiled.map(\.eval)
            return Compiled(eval: { ctx in
                var out: [Value] = []
                out.reserveCapacity(evals.count)
                for e in evals { out.append(try e(ctx)) }
                return .array(out)
            }, type: .array)
        case .binary(let op, let l, let r):
            return op.isComparison ? try compileComparison(node, op, l, r) : try compileArithmetic(node, op, l, r)
        case .call(let name, let args):
            return try compileCall(node, name, args)
        }
    }

    // MARK: names and paths

    private func compileName(_ name: String) -> Compiled {
        if name == "record" {
            // The whole record, unless the record really has a field called `record`.
            return .path { ctx in ctx.lookup("record") ?? ctx.wholeRecord }
        }
        referencedVariables.insert(name)
        return Compiled(eval: { ctx in ctx.lookup(name) ?? .null }, type: nil, resolve: { ctx in ctx.lookup(name) }, constant: nil)
    }

    private func compileMember(_ node: Node, _ base: Node, _ key: String) throws -> Compiled {
        let b = try compile(base)
        if let t = b.type, ![.object, .array, .null].contains(t) {
            throw ExpressionError("a \(t.rawValue) has no field '\(key)'", offset: base.end, length: node.end - base.end)
        }
        if let resolveBase = b.resolve {
            return .path { ctx in try resolveBase(ctx).flatMap { Access.member($0, key) } }
        }
        let e = b.eval
        return .path { ctx in Access.member(try e(ctx), key) }
    }

    private func compileIndex(_ base: Node, _ index: Node) throws -> Compiled {
        let i = try compile(index)
        // record["weird key"]: a top-level field whose name is not an identifier.
        if case .name("record") = base.kind, case .string(let key)? = i.constant {
            referencedVariables.insert(key)
            return .path { ctx in
                if let r = ctx.lookup("record") { return Access.member(r, key) }
                return ctx.lookup(key)
            }
        }
        let b = try compile(base)
        if let t = b.type, ![.object, .array, .string, .null].contains(t) {
            throw ExpressionError("cannot index a \(t.rawValue)", offset: base.offset, length: base.length)
        }
        let baseEval = b.resolve, plainBase = b.eval, indexEval = i.eval
        if let c = i.constant {
            if let baseEval { return .path { ctx in try baseEval(ctx).flatMap { Access.index($0, c) } } }
            return .path { ctx in Access.index(try plainBase(ctx), c) }
        }
        return .path { ctx in
            let v = try plainBase(ctx)
            return Access.index(v, try indexEval(ctx))
        }
    }

    // MARK: operators

    func requireBool(_ c: Compiled, _ node: Node, _ what: String) throws {
        if let t = c.type, t != .bool, t != .null {
            throw ExpressionError("\(what) needs a condition (bool), got \(t.rawValue)", offset: node.offset, length: node.length,
                                  hint: "compare it, e.g. x > 0 or x != \"\"")
        }
    }

    private func compileArithmetic(_ node: Node, _ op: BinaryOperator, _ l: Node, _ r: Node) throws -> Compiled {
        let a = try compile(l), b = try compile(r)
        let type = try arithmeticType(op, a.type, b.type, node)
        let x = a.eval, y = b.eval
        let eval: Eval
        switch (op, b.constant) {
        case (.add, let c?): eval = { ctx in try Arithmetic.add(try x(ctx), c) }
        case (.add, .none): eval = { ctx in try Arithmetic.add(try x(ctx), try y(ctx)) }
        case (.subtract, let c?): eval = { ctx in try Arithmetic.subtract(try x(ctx), c) }
        case (.subtract, .none): eval = { ctx in try Arithmetic.subtract(try x(ctx), try y(ctx)) }
        case (.multiply, let c?): eval = { ctx in try Arithmetic.multiply(try x(ctx), c) }
        case (.multiply, .none): eval = { ctx in try Arithmetic.multiply(try x(ctx), try y(ctx)) }
        case (.divide, _): eval = { ctx in try Arithmetic.divide(try x(ctx), try y(ctx)) }
        default: eval = { ctx in try Arithmetic.remainder(try x(ctx), try y(ctx)) }
        }
        if case .int(0)? = b.constant, op == .divide || op == .remainder {
            throw ExpressionError("division by zero", offset: r.offset, length: r.length)
        }
        return Compiled(eval: eval, type: type)
    }

    /// The result type when both sides are known; an error for obvious misuse
    /// (`"a" * 2`, `true + 1`), checked as soon as one side is known to be wrong.
    func arithmeticType(_ op: BinaryOperator, _ a: StaticType?, _ b: StaticType?, _ node: Node) throws -> StaticType? {
        func fail(_ t: StaticType) -> ExpressionError {
            var hint: String? = nil
            if t == .string && op != .add { hint = "convert text first, e.g. to_int(x) or to_decimal(x)" }
            if t == .string && op == .add { hint = nil }
            let verb: String
            switch op {
            case .add: verb = "add"
            case .subtract: verb = "subtract"
            case .multiply: verb = "multiply"
            case .divide: verb = "divide"
            default: verb = "take the remainder of"
            }
            return ExpressionError("cannot \(verb) a \(t.rawValue) with '\(op.rawValue)'", offset: node.operatorOffset,
                                   length: node.operatorLength, hint: hint)
        }
        if op == .add && (a == .string || b == .string) { return .string }
        for t in [a, b].compactMap({ $0 }) {
            switch (op, t) {
            case (_, .null), (_, .int), (_, .double), (_, .decimal): continue
            case (.add, .timestamp), (.add, .array), (.subtract, .timestamp): continue
            default: throw fail(t)
            }
        }
        guard let a, let b else { return nil }
        if a == .null || b == .null { return .null }
        if a.isNumber && b.isNumber {
            if a == .decimal || b == .decimal { return .decimal }
            if a == .double || b == .double { return .double }
            return op == .divide ? nil : .int
        }
        if a == .timestamp && b == .timestamp { return op == .subtract ? .double : nil }
        if a == .timestamp || b == .timestamp { return .timestamp }
        return a == b ? a : nil
    }

    private func compileComparison(_ node: Node, _ op: BinaryOperator, _ l: Node, _ r: Node) throws -> Compiled {
        let a = try compile(l), b = try compile(r)
        if op != .equal && op != .notEqual, let ta = a.type, let tb = b.type, ta != .null, tb != .null,
           !(ta == tb || (ta.isNumber && tb.isNumber)) {
            throw ExpressionError("cannot compare \(ta.rawValue) with \(tb.rawValue) using '\(op.rawValue)'",
                                  offset: node.operatorOffset, length: node.operatorLength,
                                  hint: ta == .string || tb == .string ? "convert first, e.g. to_int(x)" : nil)
        }
        let x = a.eval, y = b.eval
        let eval: Eval
        switch (op, b.constant) {
        case (.equal, let c?): eval = { ctx in .bool(Comparison.equal(try x(ctx), c)) }
        case (.equal, .none): eval = { ctx in .bool(Comparison.equal(try x(ctx), try y(ctx))) }
        case (.notEqual, let c?): eval = { ctx in .bool(!Comparison.equal(try x(ctx), c)) }
        case (.notEqual, .none): eval = { ctx in .bool(!Comparison.equal(try x(ctx), try y(ctx))) }
        case (.greater, let c?):
            eval = { ctx in (try Comparison.order(try x(ctx), c, ">")).map { .bool($0 > 0) } ?? .null }
        case (.less, let c?):
            eval = { ctx in (try Comparison.order(try x(ctx), c, "<")).map { .bool($0 < 0) } ?? .null }
        default: eval = { ctx in try Comparison.apply(op, try x(ctx), try y(ctx)) }
        }
        return Compiled(eval: eval, type: .bool)
    }

    // MARK: calls

    private func compileCall(_ node: Node, _ name: String, _ args: [Node]) throws -> Compiled {
        guard let spec = FunctionLibrary.byName[name] else {
            throw ExpressionError("unknown function '\(name)'", offset: node.offset, length: name.count,
                                  hint: Suggest.didYouMean(name, FunctionLibrary.all.map(\.name))
                                      ?? "functions: \(FunctionLibrary.all.map(\.name).joined(separator: ", "))")
        }
        guard spec.arity.contains(args.count) else {
            throw ExpressionError("\(name) takes \(spec.arityText), got \(args.count)", offset: node.offset, length: node.length,
                                  hint: "usage: \(spec.signature)")
        }
        if name == "exists" { return try compileExists(args[0]) }
        let compiled = try args.map(compile)
        for (i, c) in compiled.enumerated() {
            let kinds = spec.parameterKinds(at: i)
            if let t = c.type, !kinds.accepts(t) {
                throw ExpressionError("\(name): argument \(i + 1) must be \(kinds.description), got \(t.rawValue)",
                                      offset: args[i].offset, length: args[i].length, hint: "usage: \(spec.signature)")
            }
        }
        if name == "matches", case .string(let pattern)? = compiled[1].constant {
            return try compileMatches(compiled[0], pattern, args[1])
        }
        if name == "format", case .string(let template)? = compiled[0].constant {
            let wanted = StringFunctions.placeholderCount(template)
            if wanted > args.count - 1 {
                throw ExpressionError("format: the template has \(wanted) {} but \(args.count - 1) value(s) follow",
                                      offset: node.offset, length: node.length)
            }
        }
        let evals = compiled.map(\.eval)
        let eval: Eval
        switch spec.body {
        case .nullary(let f): eval = f
        case .unary(let f):
            let a = evals[0]
            eval = { ctx in try f(try a(ctx)) }
        case .binary(let f):
            let a = evals[0], b = evals[1]
            eval = { ctx in try f(try a(ctx), try b(ctx)) }
        case .variadic(let f):
            eval = { ctx in
                var values: [Value] = []
                values.reserveCapacity(evals.count)
                for e in evals { values.append(try e(ctx)) }
                return try f(values)
            }
        case .special:
            eval = { _ in .null }
        }
        return Compiled(eval: eval, type: spec.returns)
    }

    private func compileExists(_ arg: Node) throws -> Compiled {
        let c = try compile(arg)
        guard let resolve = c.resolve else {
            throw ExpressionError("exists needs a field path, e.g. exists(data.account)", offset: arg.offset, length: arg.length)
        }
        return Compiled(eval: { ctx in .bool(try resolve(ctx) != nil) }, type: .bool)
    }

    /// A literal pattern is compiled once, and a bad one is reported before the run.
    private func compileMatches(_ subject: Compiled, _ pattern: String, _ patternNode: Node) throws -> Compiled {
        let regex: NSRegularExpression
        do { regex = try NSRegularExpression(pattern: pattern) } catch {
            throw ExpressionError("matches: invalid regular expression", offset: patternNode.offset, length: patternNode.length,
                                  hint: "ICU regex syntax, e.g. \"^SKU-[0-9]+$\"")
        }
        let s = subject.eval
        return Compiled(eval: { ctx in
            let v = try s(ctx)
            if v.isNull { return .null }
            return .bool(StringFunctions.regexMatches(regex, try Args.string(v, "matches")))
        }, type: .bool)
    }
}
