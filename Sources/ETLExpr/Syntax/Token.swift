import ETLCore

/// One lexical token with its place in the source (in characters).
struct Token {
    enum Kind: Equatable {
        case identifier(String)
        case keyword(Keyword)
        case literal(Value)
        case op(String)
        case end
    }

    enum Keyword: String, CaseIterable {
        case and, or, not, `true`, `false`, null, `if`, then, `else`, `in`
    }

    var kind: Kind
    var offset: Int
    var length: Int

    /// How the token reads in an error message.
    var display: String {
        switch kind {
        case .identifier(let name): return "'\(name)'"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .literal(let v): return v.stringValue.map { "\"\($0)\"" } ?? "'\(v.text)'"
        case .op(let o): return "'\(o)'"
        case .end: return "end of expression"
        }
    }

    func isOp(_ o: String) -> Bool { if case .op(o) = kind { return true } else { return false } }
    func isKeyword(_ k: Keyword) -> Bool { if case .keyword(k) = kind { return true } else { return false } }
}
