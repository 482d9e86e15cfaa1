/// A parsed expression of the runbook language: literals, paths (`inputs.x`, `env.api.url`,
/// `steps.<id>.status`, `result.rows[0].n`), indexing, comparison, `and`/`or`/`not`,
/// arithmetic and a few pure functions. Parsing and evaluation do no I/O.
public struct Expression: Sendable, Hashable, CustomStringConvertible {
    /// The text the expression was parsed from.
    public let source: String
    let root: Node

    /// The longest expression accepted, in characters.
    public static let maxLength = 20_000
    /// The deepest chain of operators accepted (`a + b + c ...` is one level per `+`), so
    /// that evaluating an expression cannot exhaust the stack.
    public static let maxOperatorDepth = 512

    /// Parses `source`; throws with the offset of the first problem. Parentheses, lists,
    /// calls and indexes nested deeper than 64 levels, operator
    /// chains deeper than ``maxOperatorDepth`` and sources longer than ``maxLength`` are
    /// errors, never a stack overflow.
    public init(_ source: String) throws(ExpressionError) {
        guard source.count <= Expression.maxLength else {
            throw ExpressionError("expression longer than \(Expression.maxLength) characters", at: 0)
        }
        var lexer = Lexer(source)
        var parser = ExpressionParser(tokens: try lexer.tokenize())
        self.source = source
        self.root = try parser.parseExpression()
        try parser.expectEnd()
        if let (depth, offset) = root.firstTooDeep(limit: Expression.maxOperatorDepth) {
            throw ExpressionError("expression nested deeper than \(Expression.maxOperatorDepth) operators (\(depth) at least); split it", at: offset)
        }
    }

    /// The source text.
    public var description: String { source }

    /// Every path the expression reads, as its static segments (`["steps", "error-rate", "status"]`),
    /// with the offset where the path starts. Dynamic indexes end a path.
    public var references: [PathReference] {
        var out: [PathReference] = []
        root.collectReferences(into: &out)
        return out
    }

    /// Every function the expression calls, with offsets.
    public var functionCalls: [(name: String, offset: Int)] {
        var out: [(String, Int)] = []
        root.collectCalls(into: &out)
        return out
    }

    /// Evaluates the expression in `scope`.
    public func evaluate(in scope: ExpressionScope) throws(ExpressionError) -> Value {
        try Evaluator(scope: scope).evaluate(root)
    }

    /// A path read by an expression.
    public struct PathReference: Sendable, Hashable {
        /// The static segments from the root: `steps.error-rate.status` gives `["steps",
        /// "error-rate", "status"]`; a string-literal index (`x["k"]`) is a segment too.
        public var segments: [String]
        /// Character offset of the path's start in the expression's source.
        public var offset: Int
    }

    indirect enum Node: Sendable, Hashable {
        case literal(Value, offset: Int)
        case list([Node], offset: Int)
        case identifier(String, offset: Int)
        case member(Node, String, offset: Int)
        case index(Node, Node, offset: Int)
        case unary(String, Node, offset: Int)
        case binary(String, Node, Node, offset: Int)
        case call(String, [Node], offset: Int)

        var offset: Int {
            switch self {
            case .literal(_, let o), .list(_, let o), .identifier(_, let o), .member(_, _, let o), .index(_, _, let o),
                .unary(_, _, let o), .binary(_, _, _, let o), .call(_, _, let o):
                o
            }
        }

        /// The children of a node, in order.
        var children: [Node] {
            switch self {
            case .literal, .identifier: []
            case .list(let items, _): items
            case .member(let base, _, _): [base]
            case .index(let base, let index, _): [base, index]
            case .unary(_, let operand, _): [operand]
            case .binary(_, let l, let r, _): [l, r]
            case .call(_, let args, _): args
            }
        }

        /// The depth and offset of the first node deeper than `limit`, found without recursion
        /// (the tree may be deeper than the stack allows to recurse).
        func firstTooDeep(limit: Int) -> (Int, Int)? {
            var stack: [(Node, Int)] = [(self, 1)]
            while let (node, depth) = stack.popLast() {
                if depth > limit { return (depth, node.offset) }
                for child in node.children { stack.append((child, depth + 1)) }
            }
            return nil
        }

        /// The static path of a member/index chain rooted at an identifier.
        var staticPath: (segments: [String], offset: Int)? {
            switch self {
            case .identifier(let name, let o): return ([name], o)
            case .member(let base, let name, _):
                guard let (segments, o) = base.staticPath else { return nil }
                return (segments + [name], o)
            case .index(let base, let index, _):
                guard let (segments, o) = base.staticPath else { return nil }
                if case .literal(.string(let key), _) = index { return (segments + [key], o) }
                return (segments, o)
            default: return nil
            }
        }

        func collectReferences(into out: inout [PathReference]) {
            switch self {
            case .identifier, .member, .index:
                if let (segments, o) = staticPath { out.append(PathReference(segments: segments, offset: o)) }
                if case .index(let base, let idx, _) = self {
                    if base.staticPath == nil { base.collectReferences(into: &out) }
                    idx.collectReferences(into: &out)
                } else if case .member(let base, _, _) = self, base.staticPath == nil {
                    base.collectReferences(into: &out)
                }
            case .literal: break
            case .list(let items, _): items.forEach { $0.collectReferences(into: &out) }
            case .unary(_, let n, _): n.collectReferences(into: &out)
            case .binary(_, let l, let r, _):
                l.collectReferences(into: &out)
                r.collectReferences(into: &out)
            case .call(_, let args, _): args.forEach { $0.collectReferences(into: &out) }
            }
        }

        func collectCalls(into out: inout [(String, Int)]) {
            switch self {
            case .literal, .identifier: break
            case .list(let items, _): items.forEach { $0.collectCalls(into: &out) }
            case .member(let b, _, _): b.collectCalls(into: &out)
            case .index(let b, let i, _):
                b.collectCalls(into: &out)
                i.collectCalls(into: &out)
            case .unary(_, let n, _): n.collectCalls(into: &out)
            case .binary(_, let l, let r, _):
                l.collectCalls(into: &out)
                r.collectCalls(into: &out)
            case .call(let name, let args, let o):
                out.append((name, o))
                args.forEach { $0.collectCalls(into: &out) }
            }
        }
    }
}

/// The names an expression can read: `inputs`, `env`, `steps`, `result`, `run`...
public struct ExpressionScope: Sendable {
    /// Root name to value: `inputs`, `env`, `steps`, `run`, and `result` inside a step.
    public var roots: [String: Value]

    /// A scope of `roots`.
    public init(_ roots: [String: Value] = [:]) { self.roots = roots }

    /// The value of `root`; nil when absent (reading an absent root is an evaluation error).
    public subscript(root: String) -> Value? {
        get { roots[root] }
        set { roots[root] = newValue }
    }
}

/// Precedence climbing over the tokens: or < and < not < comparison < additive < multiplicative < unary < postfix.
struct ExpressionParser {
    /// The deepest nesting of parentheses, lists, calls, indexes, `not` and unary minus.
    static let maxNesting = 64

    var tokens: [Token]
    var position = 0
    /// How deep the parser has recursed, in nesting levels.
    private var depth = 0

    init(tokens: [Token]) { self.tokens = tokens }

    var current: Token { tokens[position] }

    mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    func isOp(_ op: String) -> Bool { current.kind == .op(op) }
    func isWord(_ word: String) -> Bool { current.kind == .identifier(word) }

    mutating func expectEnd() throws(ExpressionError) {
        guard current.kind == .end else { throw ExpressionError("unexpected \(describe(current)) after the expression", at: current.offset) }
    }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .number(let v): "number \(v.interpolated)"
        case .string(let s): "string \"\(s)\""
        case .identifier(let n): "'\(n)'"
        case .op(let o): "'\(o)'"
        case .end: "end of expression"
        }
    }

    mutating func parseExpression() throws(ExpressionError) -> Expression.Node {
        try enterNesting()
        defer { depth -= 1 }
        return try parseOr()
    }

    /// Counts one more level of nesting, refusing to go deeper than ``maxNesting``.
    private mutating func enterNesting() throws(ExpressionError) {
        guard depth < ExpressionParser.maxNesting else {
            throw ExpressionError("expression nested deeper than \(ExpressionParser.maxNesting) levels", at: current.offset)
        }
        depth += 1
    }

    mutating func parseOr() throws(ExpressionError) -> Expression.Node {
        var left = try parseAnd()
        while isWord("or") || isOp("||") {
            let o = current.offset
            advance()
            left = .binary("or", left, try parseAnd(), offset: o)
        }
        return left
    }

    mutating func parseAnd() throws(ExpressionError) -> Expression.Node {
        var left = try parseNot()
        while isWord("and") || isOp("&&") {
            let o = current.offset
            advance()
            left = .binary("and", left, try parseNot(), offset: o)
        }
        return left
    }

    mutating func parseNot() throws(ExpressionError) -> Expression.Node {
        if isWord("not") || isOp("!") {
            let o = current.offset
            advance()
            try enterNesting()
            defer { depth -= 1 }
            return .unary("not", try parseNot(), offset: o)
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws(ExpressionError) -> Expression.Node {
        let left = try parseAdditive()
        for op in ["==", "!=", "<=", ">=", "<", ">"] where isOp(op) {
            let o = current.offset
            advance()
            let right = try parseAdditive()
            for op2 in ["==", "!=", "<=", ">=", "<", ">"] where isOp(op2) {
                throw ExpressionError("comparisons cannot be chained; use 'and'", at: current.offset)
            }
            return .binary(op, left, right, offset: o)
        }
        if isWord("in") {
            let o = current.offset
            advance()
            return .binary("in", left, try parseAdditive(), offset: o)
        }
        return left
    }

    mutating func parseAdditive() throws(ExpressionError) -> Expression.Node {
        var left = try parseMultiplicative()
        while isOp("+") || isOp("-") {
            guard case .op(let op) = current.kind else { break }
            let o = current.offset
            advance()
            left = .binary(op, left, try parseMultiplicative(), offset: o)
        }
        return left
    }

    mutating func parseMultiplicative() throws(ExpressionError) -> Expression.Node {
        var left = try parseUnary()
        while isOp("*") || isOp("/") || isOp("%") {
            guard case .op(let op) = current.kind else { break }
            let o = current.offset
            advance()
            left = .binary(op, left, try parseUnary(), offset: o)
        }
        return left
    }

    mutating func parseUnary() throws(ExpressionError) -> Expression.Node {
        if isOp("-") {
            let o = current.offset
            advance()
            try enterNesting()
            defer { depth -= 1 }
            return .unary("-", try parseUnary(), offset: o)
        }
        return try parsePostfix()
    }

    mutating func parsePostfix() throws(ExpressionError) -> Expression.Node {
        var node = try parsePrimary()
        while true {
            if isOp(".") {
                advance()
                guard case .identifier(let name) = current.kind else {
                    throw ExpressionError("expected a name after '.', found \(describe(current))", at: current.offset)
                }
                node = .member(node, name, offset: current.offset)
                advance()
            } else if isOp("[") {
                let o = current.offset
                advance()
                let index = try parseExpression()
                guard isOp("]") else { throw ExpressionError("expected ']', found \(describe(current))", at: current.offset) }
                advance()
                node = .index(node, index, offset: o)
            } else {
                return node
            }
        }
    }

    mutating func parsePrimary() throws(ExpressionError) -> Expression.Node {
        let token = current
        switch token.kind {
        case .number(let v):
            advance()
            return .literal(v, offset: token.offset)
        case .string(let s):
            advance()
            return .literal(.string(s), offset: token.offset)
        case .identifier(let name):
            advance()
            switch name {
            case "true": return .literal(.bool(true), offset: token.offset)
            case "false": return .literal(.bool(false), offset: token.offset)
            case "null": return .literal(.null, offset: token.offset)
            case "and", "or", "not", "in": throw ExpressionError("unexpected '\(name)'", at: token.offset)
            default: break
            }
            if isOp("(") {
                advance()
                var args: [Expression.Node] = []
                if !isOp(")") {
                    while true {
                        args.append(try parseExpression())
                        if isOp(",") { advance(); continue }
                        break
                    }
                }
                guard isOp(")") else { throw ExpressionError("expected ')' to close the call to \(name), found \(describe(current))", at: current.offset) }
                advance()
                guard Functions.names.contains(name) else {
                    let hint = Suggest.didYouMean(name, in: Functions.names)
                    throw ExpressionError("unknown function '\(name)'\(hint)", at: token.offset)
                }
                // A literal pattern is checked now, so lint reports it.
                if Functions.regexFunctions.contains(name), args.count == 2, case .literal(.string(let pattern), let at) = args[1] {
                    _ = try Functions.regex(pattern, for: name, at: at)
                }
                return .call(name, args, offset: token.offset)
            }
            return .identifier(name, offset: token.offset)
        case .op("("):
            advance()
            let inner = try parseExpression()
            guard isOp(")") else { throw ExpressionError("expected ')', found \(describe(current))", at: current.offset) }
            advance()
            return inner
        case .op("["):
            advance()
            var items: [Expression.Node] = []
            if !isOp("]") {
                while true {
                    items.append(try parseExpression())
                    if isOp(",") { advance(); continue }
                    break
                }
            }
            guard isOp("]") else { throw ExpressionError("expected ']', found \(describe(current))", at: current.offset) }
            advance()
            return .list(items, offset: token.offset)
        case .end:
            throw ExpressionError("expected a value, found end of expression", at: token.offset)
        default:
            throw ExpressionError("expected a value, found \(describe(token))", at: token.offset)
        }
    }
}
