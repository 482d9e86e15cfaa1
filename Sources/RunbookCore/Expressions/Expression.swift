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
        // A character is at least one byte: count characters only when the bytes are too many.
        guard source.utf8.count <= Expression.maxLength || source.count <= Expression.maxLength else {
            throw ExpressionError("expression longer than \(Expression.maxLength) characters", at: 0)
        }
        var lexer = Lexer(source)
        let tokens = try lexer.tokenize()
        var parser = ExpressionParser(tokens: tokens)
        self.source = source
        self.root = try parser.parseExpression()
        try parser.expectEnd()
        // Each node of the tree comes from a token: fewer tokens than the limit cannot nest deeper.
        if tokens.count > Expression.maxOperatorDepth, let (depth, offset) = root.firstTooDeep(limit: Expression.maxOperatorDepth) {
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
            var segments: [String] = []
            guard let offset = appendStaticPath(to: &segments) else { return nil }
            return (segments, offset)
        }

        /// Whether the node is a member/index chain rooted at an identifier (``staticPath`` is
        /// not nil), found without building the path.
        var hasStaticPath: Bool {
            switch self {
            case .identifier: true
            case .member(let base, _, _), .index(let base, _, _): base.hasStaticPath
            default: false
            }
        }

        /// Appends the static path's segments, root first; the offset of its root, or nil
        /// (and `segments` left partly written) when the chain does not start at an identifier.
        private func appendStaticPath(to segments: inout [String]) -> Int? {
            switch self {
            case .identifier(let name, let o):
                segments.append(name)
                return o
            case .member(let base, let name, _):
                guard let o = base.appendStaticPath(to: &segments) else { return nil }
                segments.append(name)
                return o
            case .index(let base, let index, _):
                guard let o = base.appendStaticPath(to: &segments) else { return nil }
                if case .literal(.string(let key), _) = index { segments.append(key) }
                return o
            default:
                return nil
            }
        }

        func collectReferences(into out: inout [PathReference]) {
            switch self {
            case .identifier, .member, .index:
                if let (segments, o) = staticPath { out.append(PathReference(segments: segments, offset: o)) }
                if case .index(let base, let idx, _) = self {
                    if !base.hasStaticPath { base.collectReferences(into: &out) }
                    idx.collectReferences(into: &out)
                } else if case .member(let base, _, _) = self, !base.hasStaticPath {
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
