/// The regular expressions of `matches()` and `capture()`: matched in time linear in the
/// input, by a Pike VM over a compiled program (the design of RE2 and Go's `regexp`).
///
/// Why not Swift's `Regex` (or `NSRegularExpression`): both backtrack, so a pattern such as
/// `(a+)+$` against a long line of `a`s that does not match takes exponential time, and one
/// threshold could stall a 3 a.m. run for minutes. Here each input position is visited once,
/// with at most one thread per program instruction, so the work is bounded by input length ×
/// pattern size, and a step budget (``defaultStepBudget``) turns a pathological product into an error.
///
/// The price is what needs backtracking: backreferences (`\1`, `\k<name>`) and lookaround
/// (`(?=`, `(?!`, `(?<=`, `(?<!`) are refused with a clear error, at lint time when the pattern
/// is a string literal.
///
/// Syntax: literals and escaped metacharacters; `.` (anything but a newline); classes
/// `[a-z_]`, `[^...]`; `\d \D \w \W \s \S`; `\b \B`; `\n \t \r \f \v`, `\xHH`, `\u{H...}`;
/// anchors `^`, `$` (the end, or before a final newline), `\A`, `\z`; groups `( )`, `(?: )`,
/// `(?<name> )`; alternation `|`; quantifiers `* + ? {n} {n,} {n,m}` (at most 1,000) and
/// their lazy forms `*? +? ?? {n,m}?`; `(?i)` at the very start for a case-insensitive match.
/// Matching is over Unicode scalars.
struct LinearRegex: Sendable {
    /// A pattern that cannot be used, or a match that needs more work than allowed.
    struct Failure: Error, Sendable, Equatable {
        var message: String
    }

    /// Deepest group nesting accepted.
    static let maxNesting = 64
    /// Largest count in `{n,m}`.
    static let maxRepetition = 1000
    /// Largest compiled program (repetitions are expanded).
    static let maxInstructions = 10_000
    /// Most VM steps one match may take by default (about positions × live threads).
    static let defaultStepBudget = 20_000_000

    let pattern: String
    let program: [Instruction]
    /// Capturing groups, not counting the whole match.
    let groupCount: Int
    let caseInsensitive: Bool
    /// Most VM steps one match may take.
    let stepBudget: Int

    /// Parses and compiles `pattern`.
    init(_ pattern: String, stepBudget: Int = LinearRegex.defaultStepBudget) throws(Failure) {
        var parser = Parser(pattern)
        let node = try parser.parse()
        var compiler = Compiler(caseInsensitive: parser.caseInsensitive)
        try compiler.compile(.group(node, capture: 0))
        try compiler.append(.match)
        self.pattern = pattern
        self.program = compiler.program
        self.groupCount = parser.groupCount
        self.caseInsensitive = parser.caseInsensitive
        self.stepBudget = stepBudget
    }

    /// Whether the pattern matches anywhere in `text`.
    func matches(_ text: String) throws(Failure) -> Bool {
        try firstMatch(in: Array(text.unicodeScalars), captures: false) != nil
    }

    /// The first capturing group of the leftmost match, or the whole match when the pattern
    /// has no group or the group did not take part; nil when nothing matches.
    func capture(_ text: String) throws(Failure) -> String? {
        let input = Array(text.unicodeScalars)
        guard let slots = try firstMatch(in: input) else { return nil }
        let range: Range<Int>
        if groupCount >= 1, slots[2] >= 0, slots[3] >= 0 {
            range = slots[2]..<slots[3]
        } else if slots[0] >= 0, slots[1] >= 0 {
            range = slots[0]..<slots[1]
        } else {
            return nil
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: input[range])
        return String(view)
    }
}
