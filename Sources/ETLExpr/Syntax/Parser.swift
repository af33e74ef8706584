import ETLCore

/// Recursive-descent parser. Precedence, loosest first:
/// `if/then/else` · `or ||` · `and &&` · `not !` · comparisons and `in` ·
/// `??` · `+ -` · `* / %` · unary `-` · `.name [index] call()`.
struct Parser {
    private let tokens: [Token]
    private var pos = 0

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

    mutating func expression() throws -> Node {
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
        var left = try and()
        while let op = acceptKeyword(.or) ?? accept("||") {
            let right = try and()
            left = spanning(.or(left, right), left, right, op: op)
        }
        return left
    }

    private mutating func and() throws -> Node {
        var left = try not()
        while let op = acceptKeyword(.and) ?? accept("&&") {
            let right = try not()
            left = spanning(.and(left, right), left, right, op: op)
        }
        return left
    }

    private mutating func not() throws -> Node {
        if let op = acceptKeyword(.not) ?? accept("!") {
            let operand = try not()
            var n = Node(kind: .not(operand), offset: op.offset, length: operand.end - op.offset)
            n.operatorOffset = op.offset; n.operatorLength = op.length
            return n
        }
        return try comparison()
    }

    private mutating func comparison() throws -> Node {
        var left = try coalesce()
        while true {
            if case .op(let o) = current.kind, let op = BinaryOperator(rawValue: o), op.isComparison {
                let opToken = advance()
                let right = try coalesce()
                left = spanning(.binary(op, left, right), left, right, op: opToken)
            } else if let inToken = acceptKeyword(.in) {
                let right = try coalesce()
                left = spanning(.membership(left, right, negated: false), left, right, op: inToken)
            } else if current.isKeyword(.not), pos + 1 < tokens.count, tokens[pos + 1].isKeyword(.in) {
                let notToken = advance(); _ = advance()
                let right = try coalesce()
                left = spanning(.membership(left, right, negated: true), left, right, op: notToken)
            } else {
                return left
            }
        }
    }

    private mutating func coalesce() throws -> Node {
        let left = try additive()
        if let op = accept("??") {
            let right = try coalesce()
            return spanning(.coalesce(left, right), left, right, op: op)
        }
        return left
    }

    private mutating func additive() throws -> Node {
        var left = try multiplicative()
        while let op = accept("+") ?? accept("-") {
            let right = try multiplicative()
            left = spanning(.binary(op.isOp("+") ? .add : .subtract, left, right), left, right, op: op)
        }
        return left
    }

    private mutating func multiplicative() throws -> Node {
        var left = try unary()
        while let op = accept("*") ?? accept("/") ?? accept("%") {
            let right = try unary()
            let kind: BinaryOperator = op.isOp("*") ? .multiply : op.isOp("/") ? .divide : .remainder
            left = spanning(.binary(kind, left, right), left, right, op: op)
        }
        return left
    }

    private mutating func unary() throws -> Node {
        if let op = accept("-") {
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
        while true {
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
