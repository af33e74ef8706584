import ETLCore

/// The parsed form of an expression, with each node's place in the source so
/// compile-time checks can point at the right token.
struct Node {
    indirect enum Kind {
        case literal(Value)
        case name(String)
        case member(Node, String)
        case index(Node, Node)
        case negate(Node)
        case not(Node)
        case binary(BinaryOperator, Node, Node)
        /// `a + b - c …`, `a * b / c …` with two or more operators: one node however
        /// long the chain, so neither compiling nor evaluating recurses per term.
        case arithmetic(Node, [ArithmeticStep])
        /// `a and b and …`, `a or b or …`, `a ?? b ?? …`: flat for the same reason.
        case and([Node])
        case or([Node])
        case coalesce([Node])
        case conditional(Node, Node, Node)
        case membership(Node, Node, negated: Bool)
        case array([Node])
        case call(String, [Node])
    }

    var kind: Kind
    /// Where the node starts and how long it is, in characters.
    var offset: Int
    var length: Int
    /// The operator token of binary nodes, for errors that point at the operator.
    var operatorOffset: Int = 0
    var operatorLength: Int = 0

    var end: Int { offset + length }
}

enum BinaryOperator: String {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: return true
        default: return false
        }
    }
}

/// One `op operand` link of an arithmetic chain, with the operator's place for errors.
struct ArithmeticStep {
    var op: BinaryOperator
    var operand: Node
    var operatorOffset: Int
    var operatorLength: Int

    init(op: BinaryOperator, operand: Node, token: Token) {
        self.op = op; self.operand = operand; operatorOffset = token.offset; operatorLength = token.length
    }
}
