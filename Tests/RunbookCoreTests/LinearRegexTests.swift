import Testing
@testable import RunbookCore

@Suite("Regular expressions (linear time)")
struct LinearRegexTests {
    func capture(_ pattern: String, _ text: String) throws -> String? { try LinearRegex(pattern).capture(text) }
    func matches(_ pattern: String, _ text: String) throws -> Bool { try LinearRegex(pattern).matches(text) }

    @Test("matches like a familiar engine", arguments: [
        ("\\d+", "file 42", true), ("^\\d+$", "42\n", true), ("^\\d+\\z", "42\n", false), ("^ok$", "not ok", false),
        ("colou?r", "color", true), ("a{2,3}", "caab", true), ("a{3}", "caab", false), ("[^a-c]", "abc", false),
        ("[a-c-]", "-", true), ("\\bERROR\\b", "an ERROR here", true), ("\\bERROR\\b", "ERRORS", false),
        ("(?i)fatal", "FATAL: disk", true), ("x|y|z", "--y--", true), ("\\.", "a.b", true), ("\\.", "ab", false),
        ("", "anything", true), ("\\s+\\S", "  x", true), ("[\\d.]+%", "Use 93.5%", true), ("\\u{e9}", "café", true),
        ("(a|ab)(c|bcd)(d*)", "abcd", true), ("(?:ab)+$", "ababab", true), ("é", "CAFÉ", false), ("(?i)é", "CAFÉ", true),
    ])
    func matching(_ pattern: String, _ text: String, _ expected: Bool) throws {
        #expect(try matches(pattern, text) == expected, "\(pattern) on \(text)")
    }

    @Test func capturesLeftmostFirst() throws {
        #expect(try capture("(\\d+)%", "Use% 18% 20%") == "18")
        #expect(try capture("\\d+", "took 35 ms") == "35")
        #expect(try capture("(a+?)", "aaa") == "a")
        #expect(try capture("(a|ab)(c|bcd)", "abcd") == "a", "the first alternative wins, as in Perl")
        #expect(try capture("(?<n>[0-9]+) rows", "copied 12 rows") == "12")
        #expect(try capture("x(y)?", "x") == "x", "a group that took no part gives the whole match")
        #expect(try capture("(\\w+)@", "mail ops@conecta") == "ops")
        #expect(try capture("z", "abc") == nil)
    }

    @Test("a pattern that explodes a backtracking engine returns at once", arguments: [
        "(a+)+$", "^(a|a)*$", "(a*)*b", "(\\w+\\s?)+$", "(.*a){20}$",
    ])
    func hostilePatterns(_ pattern: String) throws {
        let input = String(repeating: "a", count: 20_000) + "!"
        // A backtracking engine takes exponential time here; this one is linear.
        #expect(try LinearRegex(pattern).matches(input) == false)
    }

    @Test func workIsBounded() throws {
        // Large program × long input: an error once the budget is spent, not minutes of work.
        let regex = try LinearRegex("(a?){1000}b", stepBudget: 200_000)
        let error = #expect(throws: LinearRegex.Failure.self) { try regex.matches(String(repeating: "a", count: 100_000)) }
        #expect(error?.message.contains("more than 200000 steps") == true)
        #expect(LinearRegex.defaultStepBudget >= 10_000_000, "a 256 KB command output with a small pattern fits")
    }

    @Test("refused patterns say why", arguments: [
        ("(a)\\1", "backreferences"), ("(?=a)", "lookahead"), ("(?<!a)b", "lookbehind"), ("(a", "missing ')'"),
        ("a)", "unbalanced ')'"), ("[a", "missing ']'"), ("*a", "nothing to repeat"), ("a**", "cannot follow another"),
        ("a{2000}", "above 1000"), ("a{3,2}", "below its minimum"), ("\\q", "unknown escape"), ("[z-a]", "out of order"),
        ("a++", "possessive"), ("[[:alpha:]]", "POSIX"), ("x(?i)", "at the start"),
        (String(repeating: "(", count: 65) + String(repeating: ")", count: 65), "nested deeper than 64"),
        ("(a{1000}){1000}", "too large"),
    ])
    func refused(_ pattern: String, _ message: String) {
        let error = #expect(throws: LinearRegex.Failure.self) { try LinearRegex(pattern) }
        #expect(error?.message.contains(message) == true, "\(pattern): \(error?.message ?? "")")
    }

    @Test("a bad literal pattern is found when the expression is parsed (lint)")
    func lintTime() {
        let error = #expect(throws: ExpressionError.self) { try Expression("matches(result.stdout, '(a+)\\1')") }
        #expect(error?.message.contains("backreferences") == true)
        #expect(error?.offset == 23, "points at the pattern")
    }
}
