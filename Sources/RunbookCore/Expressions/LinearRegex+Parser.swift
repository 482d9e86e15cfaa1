extension LinearRegex {
    /// A parsed pattern.
    indirect enum Node: Sendable {
        case scalar(Unicode.Scalar)
        /// `.`: anything but a newline.
        case any
        case set(ScalarSet)
        case assertion(Assertion)
        /// A group; `capture` is its number (0 is the whole match), nil for `(?: )`.
        case group(Node, capture: Int?)
        case concatenation([Node])
        case alternation([Node])
        case repetition(Node, min: Int, max: Int?, greedy: Bool)
    }

    /// Recursive descent over the pattern's scalars.
    struct Parser {
        private let scalars: [Unicode.Scalar]
        private var index = 0
        private var depth = 0
        private(set) var groupCount = 0
        private(set) var caseInsensitive = false

        init(_ pattern: String) { scalars = Array(pattern.unicodeScalars) }

        mutating func parse() throws(Failure) -> Node {
            if scalars.starts(with: "(?i)".unicodeScalars) {
                caseInsensitive = true
                index = 4
            }
            let node = try alternation()
            if index < scalars.count { throw failure("unbalanced ')'") }
            return node
        }

        private var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        private func failure(_ message: String) -> Failure {
            Failure(message: "\(message) at position \(index)")
        }

        private mutating func alternation() throws(Failure) -> Node {
            var branches = [try concatenation()]
            while peek == "|" {
                index += 1
                branches.append(try concatenation())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        private mutating func concatenation() throws(Failure) -> Node {
            var items: [Node] = []
            while let c = peek, c != "|", c != ")" {
                items.append(try repetition())
            }
            return items.count == 1 ? items[0] : .concatenation(items)
        }

        private mutating func repetition() throws(Failure) -> Node {
            let atom = try self.atom()
            guard let (min, max) = try quantifier() else { return atom }
            var greedy = true
            if peek == "?" {
                greedy = false
                index += 1
            } else if peek == "+" {
                throw failure("possessive quantifiers (such as '++') are not supported")
            }
            if try lookingAtQuantifier() {
                throw failure("a quantifier cannot follow another one; use a group, as in '(a+)*'")
            }
            return .repetition(atom, min: min, max: max, greedy: greedy)
        }

        /// Reads `*`, `+`, `?` or `{n}`, `{n,}`, `{n,m}`; nil (nothing read) otherwise. A `{`
        /// that does not start a count is a literal, as in other engines.
        private mutating func quantifier() throws(Failure) -> (Int, Int?)? {
            switch peek {
            case "*": index += 1; return (0, nil)
            case "+": index += 1; return (1, nil)
            case "?": index += 1; return (0, 1)
            case "{":
                guard let (min, max, length) = counted(from: index) else { return nil }
                guard min <= LinearRegex.maxRepetition, (max ?? 0) <= LinearRegex.maxRepetition else {
                    throw failure("a repetition count above \(LinearRegex.maxRepetition)")
                }
                if let max, max < min { throw failure("a repetition {\(min),\(max)} whose maximum is below its minimum") }
                index += length
                return (min, max)
            default:
                return nil
            }
        }

        private func lookingAtQuantifier() throws(Failure) -> Bool {
            switch peek {
            case "*", "+", "?": return true
            case "{": return counted(from: index) != nil
            default: return false
            }
        }

        /// Parses `{n}`, `{n,}` or `{n,m}` at `start`: (min, max, length), or nil.
        private func counted(from start: Int) -> (Int, Int?, Int)? {
            var i = start + 1
            func number() -> Int? {
                var text = ""
                while i < scalars.count, Parser.isASCIIDigit(scalars[i]), text.count < 9 {
                    text.unicodeScalars.append(scalars[i])
                    i += 1
                }
                return Int(text)
            }
            guard let min = number() else { return nil }
            var max: Int? = min
            if i < scalars.count, scalars[i] == "," {
                i += 1
                max = number()
            }
            guard i < scalars.count, scalars[i] == "}" else { return nil }
            return (min, max, i + 1 - start)
        }

        private mutating func atom() throws(Failure) -> Node {
            guard let c = peek else { throw failure("unexpected end of pattern") }
            switch c {
            case "(": return try group()
            case "[":
                index += 1
                return .set(try characterClass())
            case ".":
                index += 1
                return .any
            case "^":
                index += 1
                return .assertion(.start)
            case "$":
                index += 1
                return .assertion(.end)
            case "\\":
                return try escape()
            case "*", "+", "?":
                throw failure("nothing to repeat before '\(c)'")
            case "{" where counted(from: index) != nil:
                throw failure("nothing to repeat before '{'")
            default:
                index += 1
                return .scalar(c)
            }
        }

        private mutating func group() throws(Failure) -> Node {
            index += 1
            var capture = true
            if peek == "?" {
                index += 1
                let next = index + 1 < scalars.count ? scalars[index + 1] : nil
                switch peek {
                case ":":
                    capture = false
                    index += 1
                case "<" where next != "=" && next != "!", "P" where next == "<":
                    index += peek == "P" ? 2 : 1
                    var name = ""
                    while let c = peek, c != ">" {
                        guard c == "_" || c.properties.isAlphabetic || Parser.isASCIIDigit(c) else {
                            throw failure("a group name may hold only letters, digits and '_'")
                        }
                        name.unicodeScalars.append(c)
                        index += 1
                    }
                    guard peek == ">", !name.isEmpty else { throw failure("an unterminated group name") }
                    index += 1
                case "=", "!", "<":
                    throw failure("lookahead and lookbehind are not supported (they need a backtracking engine)")
                case "i", "m", "s", "x", "-":
                    throw failure("inline flags are supported only as '(?i)' at the start of the pattern")
                default:
                    throw failure("unknown group syntax '(?'")
                }
            }
            depth += 1
            guard depth <= LinearRegex.maxNesting else { throw failure("groups nested deeper than \(LinearRegex.maxNesting) levels") }
            var number: Int?
            if capture {
                groupCount += 1
                number = groupCount
            }
            let inner = try alternation()
            guard peek == ")" else { throw failure("missing ')'") }
            index += 1
            depth -= 1
            return .group(inner, capture: number)
        }

        private mutating func escape() throws(Failure) -> Node {
            index += 1
            guard let e = peek else { throw failure("a trailing backslash") }
            index += 1
            switch e {
            case "b": return .assertion(.wordBoundary(true))
            case "B": return .assertion(.wordBoundary(false))
            case "A": return .assertion(.start)
            case "z", "Z": return .assertion(e == "z" ? .endOfInput : .end)
            case "1"..."9", "k":
                throw failure("backreferences (such as '\\1') are not supported (they need a backtracking engine)")
            default:
                if let builtin = Parser.builtin(e) { return .set(.builtin(builtin)) }
                return .scalar(try escapedScalar(e))
            }
        }

        private static func isASCIIDigit(_ c: Unicode.Scalar) -> Bool { (0x30...0x39).contains(c.value) }

        private static func builtin(_ e: Unicode.Scalar) -> ScalarSet.Builtin? {
            switch e {
            case "d": .digit
            case "D": .notDigit
            case "w": .word
            case "W": .notWord
            case "s": .space
            case "S": .notSpace
            default: nil
            }
        }

        /// The scalar an escape stands for (`\n`, `\x41`, `\u{1F600}`, `\.`); the escape's
        /// letter has been read.
        private mutating func escapedScalar(_ e: Unicode.Scalar) throws(Failure) -> Unicode.Scalar {
            switch e {
            case "n": return "\n"
            case "t": return "\t"
            case "r": return "\r"
            case "f": return "\u{0C}"
            case "v": return "\u{0B}"
            case "0": return "\0"
            case "x", "u":
                var hex = ""
                if peek == "{" {
                    index += 1
                    while let c = peek, c != "}", hex.count <= 8 {
                        hex.unicodeScalars.append(c)
                        index += 1
                    }
                    guard peek == "}" else { throw failure("an unterminated '\\\(e){'") }
                    index += 1
                } else {
                    let length = e == "x" ? 2 : 4
                    while hex.count < length, let c = peek {
                        hex.unicodeScalars.append(c)
                        index += 1
                    }
                }
                guard let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else {
                    throw failure("a bad '\\\(e)' escape")
                }
                return scalar
            default:
                if e.properties.isAlphabetic || Parser.isASCIIDigit(e) {
                    throw failure("an unknown escape '\\\(e)'")
                }
                return e
            }
        }

        private mutating func characterClass() throws(Failure) -> ScalarSet {
            var set = ScalarSet()
            if peek == "^" {
                set.negated = true
                index += 1
            }
            var first = true
            while true {
                guard let c = peek else { throw failure("missing ']'") }
                if c == "]", !first {
                    index += 1
                    return set
                }
                first = false
                if c == "[", index + 1 < scalars.count, scalars[index + 1] == ":" {
                    throw failure("POSIX classes such as '[:alpha:]' are not supported; use \\w, \\d, \\s or a range")
                }
                index += 1
                let low: Unicode.Scalar
                if c == "\\" {
                    guard let e = peek else { throw failure("a trailing backslash") }
                    index += 1
                    if let builtin = Parser.builtin(e) {
                        set.builtins.append(builtin)
                        continue
                    }
                    low = e == "b" ? "\u{08}" : try escapedScalar(e)
                } else {
                    low = c
                }
                guard peek == "-", index + 1 < scalars.count, scalars[index + 1] != "]" else {
                    set.ranges.append(low.value...low.value)
                    continue
                }
                index += 1
                var high = scalars[index]
                index += 1
                if high == "\\" {
                    guard let e = peek else { throw failure("a trailing backslash") }
                    index += 1
                    guard Parser.builtin(e) == nil else { throw failure("a class such as \\d cannot end a range") }
                    high = try escapedScalar(e)
                }
                guard low.value <= high.value else { throw failure("a range out of order ('\(low)-\(high)')") }
                set.ranges.append(low.value...high.value)
            }
        }
    }
}
