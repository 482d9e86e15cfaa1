/// Splits an expression into tokens. Identifiers may contain `-` between letters or digits
/// (`steps.error-rate.status`), so subtraction needs spaces around the minus sign. Offsets are
/// in characters; an ASCII expression is scanned as bytes (``LexerText``).
struct Lexer {
    private let source: String

    init(_ source: String) { self.source = source }

    mutating func tokenize() throws(ExpressionError) -> [Token] {
        try ASCIIText.scan(source, ascii: { Scan(text: $0).tokenize() }, characters: { Scan(text: $0).tokenize() }).get()
    }

    /// The tokens of `text` in the form given (tests compare the two forms).
    static func tokens(of text: some LexerText) -> Result<[Token], ExpressionError> {
        Scan(text: text).tokenize()
    }

    /// The lexer over one form of the text.
    private struct Scan<Text: LexerText> {
        let text: Text
        var index = 0

        init(text: Text) { self.text = text }

        consuming func tokenize() -> Result<[Token], ExpressionError> {
            do throws(ExpressionError) { return .success(try tokens()) } catch { return .failure(error) }
        }

        private mutating func tokens() throws(ExpressionError) -> [Token] {
            var tokens: [Token] = []
            let count = text.count
            while true {
                while index < count, text.isWhitespace(at: index) { index += 1 }
                guard index < count else {
                    tokens.append(Token(kind: .end, offset: index))
                    return tokens
                }
                let start = index
                let c = text.ascii(at: index)
                if text.isNumber(at: index) {
                    tokens.append(Token(kind: .number(try number()), offset: start))
                } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    tokens.append(Token(kind: .string(try string(quote: c!)), offset: start))
                } else if text.isLetter(at: index) || c == UInt8(ascii: "_") {
                    while index < count {
                        if text.isLetter(at: index) || text.isNumber(at: index) || text.is("_", at: index) {
                            index += 1
                        } else if text.is("-", at: index), index + 1 < count, text.isLetter(at: index + 1) || text.isNumber(at: index + 1),
                            index > start
                        {
                            index += 1
                        } else {
                            break
                        }
                    }
                    tokens.append(Token(kind: .identifier(text.string(start..<index)), offset: start))
                } else if let c, let op = Lexer.op(c, next: index + 1 < count ? text.ascii(at: index + 1) : nil) {
                    index += op.utf8.count
                    tokens.append(Token(kind: .op(op), offset: start))
                } else if c == UInt8(ascii: "=") {
                    throw ExpressionError("'=' is not an operator; use '==' to compare", at: start)
                } else {
                    throw ExpressionError("unexpected character '\(text.string(start..<start + 1))'", at: start)
                }
            }
        }

        private mutating func number() throws(ExpressionError) -> Value {
            let start = index
            let count = text.count
            var hasUnderscore = false
            while index < count, text.isNumber(at: index) || text.is("_", at: index) {
                if text.is("_", at: index) { hasUnderscore = true }
                index += 1
            }
            var isDouble = false
            if index + 1 < count, text.is(".", at: index), text.isNumber(at: index + 1) {
                isDouble = true
                index += 2
                while index < count, text.isNumber(at: index) { index += 1 }
            }
            var digits = text.string(start..<index)
            if hasUnderscore { digits.removeAll { $0 == "_" } }
            if index < count, text.isLetter(at: index) {
                throw ExpressionError("malformed number '\(digits)\(text.string(index..<index + 1))'", at: start)
            }
            if !isDouble, let i = Int(digits) { return .int(i) }
            // An integer literal beyond 64 bits stays exact, for comparing with a big numeric.
            if !isDouble, let exact = ExactDecimal(digits) { return .decimal(exact) }
            guard let d = Double(digits) else { throw ExpressionError("malformed number '\(digits)'", at: start) }
            return .double(d)
        }

        private mutating func string(quote: UInt8) throws(ExpressionError) -> String {
            let start = index
            let count = text.count
            index += 1
            var out = ""
            var run = index  // the start of the text not yet copied to `out`
            while index < count {
                let c = text.ascii(at: index)
                if c == quote {
                    out += text.string(run..<index)
                    index += 1
                    return out
                }
                if c == UInt8(ascii: "\\"), index + 1 < count {
                    out += text.string(run..<index)
                    let e = text.ascii(at: index + 1)
                    switch e {
                    case UInt8(ascii: "n"): out.append("\n")
                    case UInt8(ascii: "t"): out.append("\t")
                    case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out += text.string(index + 1..<index + 2)
                    // Any other escape keeps its backslash, so regular expressions such as '\d+' work.
                    default: out += text.string(index..<index + 2)
                    }
                    index += 2
                    run = index
                } else {
                    index += 1
                }
            }
            throw ExpressionError("unterminated string", at: start)
        }
    }

    /// The operator that starts with the characters `c` and `next`, two characters before one
    /// (`<=` before `<`). The operators: `== != <= >= && || < > + - * / % ! ( ) [ ] . ,`.
    static func op(_ c: UInt8, next: UInt8?) -> String? {
        switch (c, next) {
        case (UInt8(ascii: "="), UInt8(ascii: "=")): "=="
        case (UInt8(ascii: "!"), UInt8(ascii: "=")): "!="
        case (UInt8(ascii: "<"), UInt8(ascii: "=")): "<="
        case (UInt8(ascii: ">"), UInt8(ascii: "=")): ">="
        case (UInt8(ascii: "&"), UInt8(ascii: "&")): "&&"
        case (UInt8(ascii: "|"), UInt8(ascii: "|")): "||"
        case (UInt8(ascii: "<"), _): "<"
        case (UInt8(ascii: ">"), _): ">"
        case (UInt8(ascii: "+"), _): "+"
        case (UInt8(ascii: "-"), _): "-"
        case (UInt8(ascii: "*"), _): "*"
        case (UInt8(ascii: "/"), _): "/"
        case (UInt8(ascii: "%"), _): "%"
        case (UInt8(ascii: "!"), _): "!"
        case (UInt8(ascii: "("), _): "("
        case (UInt8(ascii: ")"), _): ")"
        case (UInt8(ascii: "["), _): "["
        case (UInt8(ascii: "]"), _): "]"
        case (UInt8(ascii: "."), _): "."
        case (UInt8(ascii: ","), _): ","
        default: nil
        }
    }
}
