import ETLCore

/// Recursive-descent parser. Precedence, loosest first:
/// `if/then/else` · `or ||` · `and &&` · `not !` · comparisons and `in` ·
/// `??` · `+ -` · `* / %` · unary `-` · `.name [index] call()`.
struct Parser {
    /// Nesting deeper than this is refused: parsing, type-checking and evaluating
    /// each recurse once per level, and hostile input must not overflow the stack.
    /// Flat chains (`a and b and …`, `a + b + …`) do not nest.
    static let maxDepth = 256

    private let tokens: [Token]
    private var pos = 0
    private var depth = 0

    static func parse(_ source: String) throws -> Node {
        var p = Parser(tokens: try Lexer.tokenize(source))
        guard !(p.tokens.count == 1) else {
            throw ExpressionError("expression is empty", offset: 0, length: 0, hint: "e.g. qty > 0")
        }
        let node = try p.expression()
        let t = p.current
        if case .end = t.kind { return node }
        var hint: String? = nil
        if case .op(let o) = t.kind, let prev = p.previous, prev.isOp(o), prev.offset + prev.length == t.offset {
            hint = "'\(o)\(o)' is not an operator; did you mean '\(o)'?"
        }
        throw ExpressionError("unexpected \(t.display) after a complete expression", offset: t.offset, length: t.length, hint: hint)
    }

    private init(tokens: [Token]) { self.tokens = tokens }

    private var current: Token { tokens[pos] }
    private var previous: Token? { pos > 0 ? tokens[pos - 1] : nil }
    private mutating func advance() -> Token { let t = tokens[pos]; if pos < tokens.count - 1 { pos += 1 }; return t }

    private mutating func accept(_ o: String) -> Token? {
        if current.isOp(o) { return advance() }
        return nil
    }
    private mutating func acceptKeyword(_ k: Token.Keyword) -> Token? {
        if current.isKeyword(k) { return advance() }
        return nil
    }

    private mutating func expect(_ o: String, closing open: Token? = nil) throws -> Token {
        if let t = accept(o) { return t }
        let hint = open.map { "to close the \($0.display) at character \($0.offset + 1)" }
        throw ExpressionError("expected '\(o)', found \(current.display)", offset: current.offset,
                              length: max(current.length, 1), hint: hint.map { "add '\(o)' \($0)" })
    }

    private func spanning(_ kind: Node.Kind, _ from: Node, _ to: Node, op: Token? = nil) -> Node {
        var n = Node(kind: kind, offset: from.offset, length: to.end - from.offset)
        if let op { n.operatorOffset = op.offset; n.operatorLength = op.length }
        return n
    }

    /// Enters one level of nesting at `token`; the caller leaves it with `depth -= 1`.
    private mutating func nest(at token: Token) throws {
        depth += 1
        guard depth <= Parser.maxDepth else {
            throw ExpressionError("expression is nested too deeply (more than \(Parser.maxDepth) levels)", offset: token.offset,
                                  length: max(token.length, 1),
                                  hint: "split it up, e.g. compute parts in a map step or in vars: and combine them")
        }
    }

    mutating func expression() throws -> Node {
        try nest(at: current)
        defer { depth -= 1 }
        if let ifToken = acceptKeyword(.if) { return try conditional(ifToken) }
        return try or()
    }

    private mutating func conditional(_ ifToken: Token) throws -> Node {
        let condition = try expression()
        guard acceptKeyword(.then) != nil else {
            throw ExpressionError("expected 'then', found \(current.display)", offset: current.offset, length: max(current.length, 1),
                                  hint: "write: if CONDITION then A else B")
        }
        let whenTrue = try expression()
        guard acceptKeyword(.else) != nil else {
            throw ExpressionError("expected 'else', found \(current.display)", offset: current.offset, length: max(current.length, 1),
                                  hint: "an if needs an else: if CONDITION then A else B")
        }
        let whenFalse = try expression()
        return Node(kind: .conditional(condition, whenTrue, whenFalse), offset: ifToken.offset, length: whenFalse.end - ifToken.offset)
    }

    private mutating func or() throws -> Node {
        let first = try and()
        var operands = [first]
        var firstOp: Token?
        while let op = acceptKeyword(.or) ?? accept("||") {
            firstOp = firstOp ?? op
            operands.append(try and())
        }
        guard let last = operands.last, operands.count > 1 else { return first }
        return spanning(.or(operands), first, last, op: firstOp)
    }

    private mutating func and() throws -> Node {
        let first = try not()
        var operands = [first]
        var firstOp: Token?
        while let op = acceptKeyword(.and) ?? accept("&&") {
            firstOp = firstOp ?? op
            operands.append(try not())
        }
        guard let last = operands.last, operands.count > 1 else { return first }
        return spanning(.and(operands), first, last, op: firstOp)
    }

    private mutating func not() throws -> Node {
        if let op = acceptKeyword(.not) ?? accept("!") {
            try nest(at: op)
            defer { depth -= 1 }
            let operand = try not()
            var n = Node(kind: .not(operand), offset: op.offset, length: operand.end - op.offset)
            n.operatorOffset = op.offset; n.operatorLength = op.length
            return n
        }
        return try comparison()
    }

    private mutating func comparison() throws -> Node {
        var left = try coalesce()
        // Each comparison in a row (`a == b == c`) nests the tree one level deeper.
        let outer = depth
        defer { depth = outer }
        while true {
            if case .op(let o) = current.kind, let op = BinaryOperator(rawValue: o), op.isComparison {
                try nest(at: current)
                let opToken = advance()
                let right = try coalesce()
                left = spanning(.binary(op, left, right), left, right, op: opToken)
            } else if let inToken = acceptKeyword(.in) {
                try nest(at: inToken)
                let right = try coalesce()
                left = spanning(.membership(left, right, negated: false), left, right, op: inToken)
            } else if current.isKeyword(.not), pos + 1 < tokens.count, tokens[pos + 1].isKeyword(.in) {
                try nest(at: current)
                let notToken = advance(); _ = advance()
                let right = try coalesce()
                left = spanning(.membership(left, right, negated: true), left, right, op: notToken)
            } else {
                return left
            }
        }
    }

    private mutating func coalesce() throws -> Node {
        let first = try additive()
        var operands = [first]
        var firstOp: Token?
        while let op = accept("??") {
            firstOp = firstOp ?? op
            operands.append(try additive())
        }
        guard let last = operands.last, operands.count > 1 else { return first }
        return spanning(.coalesce(operands), first, last, op: firstOp)
    }

    private mutating func additive() throws -> Node {
        let first = try multiplicative()
        var steps: [ArithmeticStep] = []
        while let op = accept("+") ?? accept("-") {
            steps.append(ArithmeticStep(op: op.isOp("+") ? .add : .subtract, operand: try multiplicative(), token: op))
        }
        return chain(first, steps)
    }

    private mutating func multiplicative() throws -> Node {
        let first = try unary()
        var steps: [ArithmeticStep] = []
        while let op = accept("*") ?? accept("/") ?? accept("%") {
            let kind: BinaryOperator = op.isOp("*") ? .multiply : op.isOp("/") ? .divide : .remainder
            steps.append(ArithmeticStep(op: kind, operand: try unary(), token: op))
        }
        return chain(first, steps)
    }

    /// One operator makes a plain binary node; more make one flat chain node.
    private func chain(_ first: Node, _ steps: [ArithmeticStep]) -> Node {
        guard let last = steps.last else { return first }
        if steps.count == 1 {
            var n = Node(kind: .binary(last.op, first, last.operand), offset: first.offset, length: last.operand.end - first.offset)
            n.operatorOffset = last.operatorOffset; n.operatorLength = last.operatorLength
            return n
        }
        var n = Node(kind: .arithmetic(first, steps), offset: first.offset, length: last.operand.end - first.offset)
        n.operatorOffset = steps[0].operatorOffset; n.operatorLength = steps[0].operatorLength
        return n
    }

    private mutating func unary() throws -> Node {
        if let op = accept("-") {
            try nest(at: op)
            defer { depth -= 1 }
            let operand = try unary()
            // Fold negative literals: constants stay constants and keep their static type.
            if case .literal(.int(let i)) = operand.kind {
                return Node(kind: .literal(.int(-i)), offset: op.offset, length: operand.end - op.offset)
            }
            if case .literal(.double(let d)) = operand.kind {
                return Node(kind: .literal(.double(-d)), offset: op.offset, length: operand.end - op.offset)
            }
            if case .literal(.decimal(let d)) = operand.kind {
                return Node(kind: .literal(.decimal(-d)), offset: op.offset, length: operand.end - op.offset)
            }
            var n = Node(kind: .negate(operand), offset: op.offset, length: operand.end - op.offset)
            n.operatorOffset = op.offset; n.operatorLength = 1
            return n
        }
        return try postfix()
    }

    private mutating func postfix() throws -> Node {
        var node = try primary()
        // Each `.name`, `[i]` or call nests the tree one level deeper.
        let outer = depth
        defer { depth = outer }
        while true {
            if current.isOp(".") || current.isOp("[") || current.isOp("(") { try nest(at: current) }
            if let dot = accept(".") {
                let t = advance()
                let member: String
                switch t.kind {
                case .identifier(let name): member = name
                case .keyword(let k): member = k.rawValue
                case .literal(.int(let i)) where i >= 0: member = String(i)
                case .literal(.bool(let b)): member = b ? "true" : "false"
                case .literal(.null): member = "null"
                default:
                    throw ExpressionError("expected a field name after '.', found \(t.display)", offset: t.offset,
                                          length: max(t.length, 1), hint: "for odd names write x[\"odd name\"]")
                }
                _ = dot
                node = Node(kind: .member(node, member), offset: node.offset, length: t.offset + t.length - node.offset)
            } else if let open = accept("[") {
                let index = try expression()
                let close = try expect("]", closing: open)
                node = Node(kind: .index(node, index), offset: node.offset, length: close.offset + 1 - node.offset)
            } else if let open = accept("(") {
                guard case .name(let function) = node.kind else {
                    throw ExpressionError("only functions can be called", offset: open.offset,
                                          hint: "call a function by name, e.g. lower(sku)")
                }
                var args: [Node] = []
                if accept(")") == nil {
                    repeat { args.append(try expression()) } while accept(",") != nil
                    _ = try expect(")", closing: open)
                }
                let end = previous.map { $0.offset + $0.length } ?? node.end
                node = Node(kind: .call(function, args), offset: node.offset, length: end - node.offset)
            } else {
                return node
            }
        }
    }

    private mutating func primary() throws -> Node {
        let t = current
        switch t.kind {
        case .literal(let v):
            _ = advance()
            return Node(kind: .literal(v), offset: t.offset, length: t.length)
        case .identifier(let name):
            _ = advance()
            return Node(kind: .name(name), offset: t.offset, length: t.length)
        case .keyword(.if):
            _ = advance()
            return try conditional(t)
        case .op("("):
            _ = advance()
            let inner = try expression()
            let close = try expect(")", closing: t)
            return Node(kind: inner.kind, offset: t.offset, length: close.offset + 1 - t.offset,
                        operatorOffset: inner.operatorOffset, operatorLength: inner.operatorLength)
        case .op("["):
            _ = advance()
            var items: [Node] = []
            if accept("]") == nil {
                repeat {
                    if current.isOp("]") { break }   // trailing comma
                    items.append(try expression())
                } while accept(",") != nil
                _ = try expect("]", closing: t)
            }
            let end = previous.map { $0.offset + $0.length } ?? t.offset + 1
            return Node(kind: .array(items), offset: t.offset, length: end - t.offset)
        default:
            var hint: String? = nil
            if case .op(let o) = t.kind, let prev = previous, prev.isOp(o), prev.offset + prev.length == t.offset {
                hint = "'\(o)\(o)' is not an operator; did you mean '\(o)'?"
            } else if case .end = t.kind, let prev = previous {
                hint = "\(prev.display) needs something after it"
            }
            throw ExpressionError("expected a value, found \(t.display)", offset: t.offset, length: max(t.length, 1), hint: hint)
        }
    }
}
