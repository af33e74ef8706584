import ETLCore

/// Flat chains (`a and b and …`, `a ?? b ?? …`, `a + b - c …`) compile to one
/// closure that loops over its operands: however long the chain, compiling and
/// evaluating it never recurse per term, so thousands of terms cannot overflow
/// the stack.
extension Compiler {
    func compileAnd(_ operands: [Node]) throws -> Compiled {
        let evals = try conditions(operands, "'and'")
        return Compiled(eval: { ctx in
            for e in evals where !(try conditionTruth(try e(ctx), "and")) { return .bool(false) }
            return .bool(true)
        }, type: .bool)
    }

    func compileOr(_ operands: [Node]) throws -> Compiled {
        let evals = try conditions(operands, "'or'")
        return Compiled(eval: { ctx in
            for e in evals where try conditionTruth(try e(ctx), "or") { return .bool(true) }
            return .bool(false)
        }, type: .bool)
    }

    private func conditions(_ operands: [Node], _ what: String) throws -> [Eval] {
        try operands.map { node in
            let c = try compile(node)
            try requireBool(c, node, what)
            return c.eval
        }
    }

    /// The first operand that is not null, else null; typed only when every operand has the same type.
    func compileCoalesce(_ operands: [Node]) throws -> Compiled {
        let compiled = try operands.map(compile)
        let evals = compiled.map(\.eval)
        let type = compiled.dropFirst().allSatisfy({ $0.type == compiled[0].type }) ? compiled[0].type : nil
        // `a ?? b` (the usual default: `flag ?? false`) without looping over an array
        // of closures: each call from the array goes through a reabstraction thunk
        // and a retain and release of the closure.
        if compiled.count == 2 {
            let first = compiled[0].eval
            if let fallback = compiled[1].constant {
                return Compiled(eval: { ctx in
                    let v = try first(ctx)
                    return v.isNull ? fallback : v
                }, type: type)
            }
            let second = compiled[1].eval
            return Compiled(eval: { ctx in
                let v = try first(ctx)
                return v.isNull ? try second(ctx) : v
            }, type: type)
        }
        return Compiled(eval: { ctx in
            var v = Value.null
            for e in evals {
                v = try e(ctx)
                if !v.isNull { return v }
            }
            return v
        }, type: type)
    }

    /// Left to right, as `((a + b) - c) …` would be, with the same checks at each operator.
    func compileArithmeticChain(_ first: Node, _ steps: [ArithmeticStep]) throws -> Compiled {
        let head = try compile(first)
        var type = head.type
        var applies: [(Value, EvalContext) throws -> Value] = []
        applies.reserveCapacity(steps.count)
        for step in steps {
            let b = try compile(step.operand)
            var at = step.operand
            at.operatorOffset = step.operatorOffset; at.operatorLength = step.operatorLength
            type = try arithmeticType(step.op, type, b.type, at)
            if case .int(0)? = b.constant, step.op == .divide || step.op == .remainder {
                throw ExpressionError("division by zero", offset: step.operand.offset, length: step.operand.length)
            }
            let y = b.eval
            switch (step.op, b.constant) {
            case (.add, let c?): applies.append { v, _ in try Arithmetic.add(v, c) }
            case (.add, .none): applies.append { v, ctx in try Arithmetic.add(v, try y(ctx)) }
            case (.subtract, let c?): applies.append { v, _ in try Arithmetic.subtract(v, c) }
            case (.subtract, .none): applies.append { v, ctx in try Arithmetic.subtract(v, try y(ctx)) }
            case (.multiply, let c?): applies.append { v, _ in try Arithmetic.multiply(v, c) }
            case (.multiply, .none): applies.append { v, ctx in try Arithmetic.multiply(v, try y(ctx)) }
            case (.divide, _): applies.append { v, ctx in try Arithmetic.divide(v, try y(ctx)) }
            default: applies.append { v, ctx in try Arithmetic.remainder(v, try y(ctx)) }
            }
        }
        let x = head.eval
        return Compiled(eval: { ctx in
            var v = try x(ctx)
            for apply in applies { v = try apply(v, ctx) }
            return v
        }, type: type)
    }
}
