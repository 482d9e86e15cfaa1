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
