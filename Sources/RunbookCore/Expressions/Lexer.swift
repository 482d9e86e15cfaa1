
/// Splits an expression into tokens. Identifiers may contain `-` between letters or digits
/// (`steps.error-rate.status`), so subtraction needs spaces around the minus sign.
struct Lexer {
    private let chars: [Character]
    private var index = 0

    init(_ source: String) { chars = Array(source) }

    static let operators = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "!", "(", ")", "[", "]", ".", ","]

    mutating func tokenize() throws(ExpressionError) -> [Token] {
        var tokens: [Token] = []
        while true {
            while index < chars.count, chars[index].isWhitespace { index += 1 }
            guard index < chars.count else {
                tokens.append(Token(kind: .end, offset: index))
                return tokens
            }
            let start = index
            let c = chars[index]
            if c.isNumber {
                tokens.append(Token(kind: .number(try number()), offset: start))
            } else if c == "\"" || c == "'" {
                tokens.append(Token(kind: .string(try string(quote: c)), offset: start))
            } else if c.isLetter || c == "_" {
                var name = ""
                while index < chars.count {
                    let d = chars[index]
                    if d.isLetter || d.isNumber || d == "_" {
                        name.append(d)
                        index += 1
                    } else if d == "-", index + 1 < chars.count, chars[index + 1].isLetter || chars[index + 1].isNumber, !name.isEmpty {
                        name.append(d)
                        index += 1
                    } else {
                        break
                    }
                }
                tokens.append(Token(kind: .identifier(name), offset: start))
            } else if let op = Lexer.operators.first(where: { matches($0) }) {
                index += op.count
                tokens.append(Token(kind: .op(op), offset: start))
            } else if c == "=" {
                throw ExpressionError("'=' is not an operator; use '==' to compare", at: start)
            } else {
                throw ExpressionError("unexpected character '\(c)'", at: start)
            }
        }
    }

    private func matches(_ op: String) -> Bool {
        let opChars = Array(op)
        guard index + opChars.count <= chars.count else { return false }
        return Array(chars[index..<index + opChars.count]) == opChars
    }

    private mutating func number() throws(ExpressionError) -> Value {
        let start = index
        var text = ""
        var isDouble = false
        while index < chars.count, chars[index].isNumber || chars[index] == "_" {
            if chars[index] != "_" { text.append(chars[index]) }
            index += 1
        }
        if index + 1 < chars.count, chars[index] == ".", chars[index + 1].isNumber {
            isDouble = true
            text.append(".")
            index += 1
            while index < chars.count, chars[index].isNumber { text.append(chars[index]); index += 1 }
        }
        if index < chars.count, chars[index].isLetter {
            throw ExpressionError("malformed number '\(text)\(chars[index])'", at: start)
        }
        if !isDouble, let i = Int(text) { return .int(i) }
        // An integer literal beyond 64 bits stays exact, for comparing with a big numeric.
        if !isDouble, let exact = ExactDecimal(text) { return .decimal(exact) }
        guard let d = Double(text) else { throw ExpressionError("malformed number '\(text)'", at: start) }
        return .double(d)
    }

    private mutating func string(quote: Character) throws(ExpressionError) -> String {
        let start = index
        index += 1
        var out = ""
        while index < chars.count {
            let c = chars[index]
            index += 1
            if c == quote { return out }
            if c == "\\", index < chars.count {
                let e = chars[index]
                index += 1
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "\\", "'", "\"": out.append(e)
                // Any other escape keeps its backslash, so regular expressions such as '\d+' work.
                default:
                    out.append("\\")
                    out.append(e)
                }
            } else {
                out.append(c)
            }
        }
        throw ExpressionError("unterminated string", at: start)
    }
}
