import Testing
@testable import RunbookCore

@Suite("Expression language")
struct ExpressionTests {
    let scope = ExpressionScope([
        "inputs": .object([("window_hours", 4), ("name", "Conecta")]),
        "result": .object([("rows", [.object([("error_rate", 12.5), ("error_type", "connection")]), .object([("error_rate", .null), ("error_type", "validation")])]),
                           ("exit_code", 0), ("stdout", " 7\n")]),
        "steps": .object([("error-rate", .object([("status", "red"), ("result", .object([("n", 3)]))]))]),
        "env": .object([("api", .object([("url", "http://127.0.0.1:18080")]))]),
    ])

    func eval(_ source: String) throws -> Value { try Expression(source).evaluate(in: scope) }

    @Test func arithmeticAndPrecedence() throws {
        #expect(try eval("1 + 2 * 3") == 7)
        #expect(try eval("(1 + 2) * 3") == 9)
        #expect(try eval("7 / 2") == 3.5)
        #expect(try eval("8 / 2") == 4)
        #expect(try eval("7 % 3") == 1)
        #expect(try eval("-inputs.window_hours + 1") == -3)
        #expect(try eval("'a' + 'b'") == "ab")
    }

    @Test func comparisonsAndLogic() throws {
        #expect(try eval("result.rows[0].error_rate > 10") == true)
        #expect(try eval("result.rows[0].error_rate >= 12.5 and inputs.window_hours == 4") == true)
        #expect(try eval("not (1 == 1) or false") == false)
        #expect(try eval("1 == 1.0") == true)
        #expect(try eval("'abc' < 'abd'") == true)
        #expect(try eval("steps.error-rate.status == \"red\"") == true)
        #expect(try eval("'connection' in pluck(result.rows, 'error_type')") == true)
    }

    @Test func nullPropagatesThroughMissingRowsButNotMissingFields() throws {
        #expect(try eval("result.rows[5].error_rate") == .null)
        #expect(try eval("result.rows[1].error_rate > 10") == false)
        let error = #expect(throws: ExpressionError.self) { try eval("result.rows[0].error_rat > 10") }
        #expect(error?.message.contains("did you mean 'error_rate'") == true)
        #expect(error?.offset == 15)
    }

    @Test func functions() throws {
        #expect(try eval("len(result.rows)") == 2)
        #expect(try eval("int(trim(result.stdout))") == 7)
        #expect(try eval("lower(inputs.name)") == "conecta")
        #expect(try eval("contains(inputs.name, 'nec')") == true)
        #expect(try eval("round(12.345, 1)") == 12.3)
        #expect(try eval("coalesce(result.rows[1].error_rate, 0)") == 0)
        #expect(try eval("max(pluck(result.rows, 'error_rate'))") == 12.5)
        #expect(try eval("capture('Use%\\n 18%', '([0-9]+)%')") == "18")
        #expect(try eval("join(['a', 'b'], '-')") == "a-b")
        #expect(try eval("matches('file 42 done', '\\d+')") == true)
        #expect(try eval("'it\\'s'") == "it's")
    }

    @Test func parseErrorsCarryOffsets() {
        let cases: [(String, Int, String)] = [
            ("1 +", 3, "expected a value"),
            ("a = 1", 2, "use '=='"),
            ("foo(1)", 0, "unknown function 'foo'"),
            ("lenn(x)", 0, "did you mean 'len'"),
            ("1 < 2 < 3", 6, "cannot be chained"),
            ("'open", 0, "unterminated string"),
            ("(1 + 2", 6, "expected ')'"),
        ]
        for (source, offset, message) in cases {
            do {
                _ = try Expression(source)
                Issue.record("'\(source)' parsed")
            } catch {
                #expect(error.offset == offset, "\(source)")
                #expect(error.message.contains(message), "\(source): \(error.message)")
            }
        }
    }

    @Test func evaluationErrorsAreClear() {
        #expect(throws: ExpressionError.self) { try eval("'a' > 1") }
        #expect(throws: ExpressionError.self) { try eval("1 / 0") }
        #expect(throws: ExpressionError.self) { try eval("nope.x") }
    }

    @Test("integer arithmetic is checked: an overflow is an error naming the operation, never a crash", arguments: [
        ("9223372036854775807 + 1", "integer overflow: 9223372036854775807 + 1 does not fit a 64-bit integer"),
        ("-9223372036854775807 - 2", "integer overflow: -9223372036854775807 - 2"),
        ("4611686018427387904 * 2", "integer overflow: 4611686018427387904 * 2"),
        ("(-9223372036854775807 - 1) / -1", "integer overflow: -9223372036854775808 / -1"),
        ("-(-9223372036854775807 - 1)", "integer overflow: -(-9223372036854775808)"),
        ("int(9223372036854775807 + 1)", "integer overflow"),
        ("int('99999999999999999999')", "int(): 99999999999999999999 does not fit a 64-bit integer"),
        ("int(trim(' 123456789012345678901234567890\n'))", "does not fit a 64-bit integer"),
        ("abs(-9223372036854775807 - 1)", "abs(-9223372036854775808) does not fit"),
        ("7 / 0", "division by zero: 7 / 0"),
        ("7 % 0", "remainder of a division by zero: 7 % 0"),
        ("7.5 % 0", "remainder of a division by zero"),
        ("1.5 / 0", "division by zero"),
    ])
    func checkedArithmetic(_ source: String, _ message: String) {
        let error = #expect(throws: ExpressionError.self) { try eval(source) }
        #expect(error?.message.contains(message) == true, "\(source): \(error?.message ?? "")")
    }

    @Test func integerEdgesThatFitStayExact() throws {
        #expect(try eval("9223372036854775806 + 1") == .int(.max))
        #expect(try eval("(-9223372036854775807 - 1) % -1") == 0)
        #expect(try eval("(-9223372036854775807 - 1) / 2") == .int(.min / 2))
        #expect(try eval("9223372036854775807 == 9223372036854775806") == false, "no rounding through doubles")
        #expect(try eval("9007199254740993 > 9007199254740992.0") == true)
        #expect(try eval("99999999999999999999 > 9223372036854775807") == true, "a big literal stays exact")
    }

    @Test("deep nesting is an error, not a stack overflow", arguments: [
        String(repeating: "(", count: 1_200) + "1" + String(repeating: ")", count: 1_200),
        String(repeating: "[", count: 1_200) + String(repeating: "]", count: 1_200),
        String(repeating: "len(", count: 1_200) + "'x'" + String(repeating: ")", count: 1_200),
        String(repeating: "not ", count: 1_200) + "true",
        String(repeating: "- ", count: 1_200) + "1",
        "x" + String(repeating: "[0", count: 1_200) + String(repeating: "]", count: 1_200),
    ])
    func nestingLimit(_ source: String) {
        let error = #expect(throws: ExpressionError.self) { try Expression(source) }
        #expect(error?.message == "expression nested deeper than 64 levels")
    }

    @Test func longChainsAndSourcesAreRefused() throws {
        #expect(try eval(String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60)) == 1)
        #expect(try eval(Array(repeating: "1", count: 500).joined(separator: " + ")) == 500)
        let chain = #expect(throws: ExpressionError.self) { try Expression(Array(repeating: "1", count: 5_000).joined(separator: " + ")) }
        #expect(chain?.message.contains("nested deeper than 512 operators") == true)
        let long = #expect(throws: ExpressionError.self) { try Expression(String(repeating: "1 + ", count: 10_000) + "1") }
        #expect(long?.message == "expression longer than 20000 characters")
        // Template expressions are parsed by the same parser, so are bounded the same way.
        let template = #expect(throws: ExpressionError.self) { try Template("x ${{ " + String(repeating: "(", count: 100) + " }}") }
        #expect(template?.message == "expression nested deeper than 64 levels")
    }

    @Test func referencesAreStaticPaths() throws {
        let e = try Expression("steps.error-rate.result.rows[0].n > inputs.limit and env.api.url != ''")
        let refs = e.references.map { $0.segments }
        #expect(refs.contains(["steps", "error-rate", "result", "rows", "n"]))
        #expect(refs.contains(["inputs", "limit"]))
        #expect(refs.contains(["env", "api", "url"]))
    }

    @Test func templatesInterpolateAndKeepOffsets() throws {
        let t = try Template("${{ env.api.url }}/files?h=${{ inputs.window_hours }}")
        #expect(try t.render(in: scope) == "http://127.0.0.1:18080/files?h=4")
        #expect(Template(literal: "plain").isLiteral)
        do {
            _ = try Template("x ${{ 1 + }} y")
            Issue.record("parsed")
        } catch {
            #expect(error.offset == 9)
        }
        #expect(throws: ExpressionError.self) { try Template("${{ open") }
    }
}

@Suite("JSON")
struct JSONTests {
    @Test func roundTripKeepsKeyOrderAndTypes() throws {
        let text = #"{"z":1,"a":[true,null,2.5,"x\"y\n"],"m":{"k":-3}}"#
        let value = try JSON.parse(text)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(JSON.encode(value) == text)
        #expect(throws: JSON.JSONError.self) { try JSON.parse("{\"a\":}") }
        #expect(try JSON.parse("\"\\u00e9\\ud83d\\ude00\"") == "é😀")
    }
}
