extension LinearRegex {
    /// A character class: ranges of scalars and the built-in classes, maybe negated.
    struct ScalarSet: Sendable, Hashable {
        enum Builtin: Sendable, Hashable {
            case digit, notDigit, word, notWord, space, notSpace
        }

        var negated = false
        var ranges: [ClosedRange<UInt32>] = []
        var builtins: [Builtin] = []

        static func single(_ scalar: Unicode.Scalar) -> ScalarSet {
            ScalarSet(ranges: [scalar.value...scalar.value])
        }

        static func builtin(_ b: Builtin) -> ScalarSet {
            ScalarSet(builtins: [b])
        }

        func contains(_ scalar: Unicode.Scalar, caseInsensitive: Bool) -> Bool {
            var hit = containsExactly(scalar)
            if !hit, caseInsensitive {
                hit = ScalarSet.caseVariants(of: scalar).contains { containsExactly($0) }
            }
            return hit != negated
        }

        private func containsExactly(_ scalar: Unicode.Scalar) -> Bool {
            if ranges.contains(where: { $0.contains(scalar.value) }) { return true }
            return builtins.contains { builtin in
                switch builtin {
                case .digit: ScalarSet.isDigit(scalar)
                case .notDigit: !ScalarSet.isDigit(scalar)
                case .word: ScalarSet.isWord(scalar)
                case .notWord: !ScalarSet.isWord(scalar)
                case .space: scalar.properties.isWhitespace
                case .notSpace: !scalar.properties.isWhitespace
                }
            }
        }

        static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.generalCategory == .decimalNumber
        }

        static func isWord(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "_" || scalar.properties.isAlphabetic || isDigit(scalar)
        }

        /// The lowercase and uppercase forms of a scalar, when each is a single scalar.
        static func caseVariants(of scalar: Unicode.Scalar) -> [Unicode.Scalar] {
            [scalar.properties.lowercaseMapping, scalar.properties.uppercaseMapping].compactMap { mapped in
                let scalars = mapped.unicodeScalars
                return scalars.count == 1 && scalars.first != scalar ? scalars.first : nil
            }
        }
    }

    /// A zero-width test.
    enum Assertion: Sendable, Hashable {
        /// `^`, `\A`: the start of the input.
        case start
        /// `$`: the end of the input, or just before a final newline (command output ends with one).
        case end
        /// `\z`: the very end of the input.
        case endOfInput
        /// `\b`, and `\B` when false.
        case wordBoundary(Bool)

        func holds(at position: Int, in input: [Unicode.Scalar]) -> Bool {
            switch self {
            case .start: return position == 0
            case .end: return position == input.count || (position == input.count - 1 && input[position] == "\n")
            case .endOfInput: return position == input.count
            case .wordBoundary(let wanted):
                let before = position > 0 && ScalarSet.isWord(input[position - 1])
                let after = position < input.count && ScalarSet.isWord(input[position])
                return (before != after) == wanted
            }
        }
    }
}
