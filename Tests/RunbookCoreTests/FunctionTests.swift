import Testing
@testable import RunbookCore

/// Every function of the expression language: what it gives for a normal call, and how it
/// refuses a bad one.
@Suite("Expression functions")
struct FunctionTests {
    /// A call and its expected value.
    struct Success: Sendable, CustomTestStringConvertible {
        let function: String
        let source: String
        let expected: Value
        var testDescription: String { source }
    }

    /// A call and words its error must contain.
    struct Failure: Sendable, CustomTestStringConvertible {
        let function: String
        let source: String
        let message: String
        var testDescription: String { source }
    }

    static let scope = ExpressionScope([
        "rows": [.object([("name", "a"), ("n", 2)]), .object([("name", "b"), ("n", 5)])],
        "row": .object([("id", 7), ("status", "ok")]),
        "out": " 42\n",
        "rate": .decimal(ExactDecimal("12.50")!),
        "huge": .decimal(ExactDecimal("12345678901234567890.123456789")!),
    ])

    static let successes: [Success] = [
        Success(function: "len", source: "len('olá')", expected: 3),
        Success(function: "len", source: "len(rows)", expected: 2),
        Success(function: "len", source: "len(row)", expected: 2),
        Success(function: "len", source: "len(null)", expected: 0),
        Success(function: "contains", source: "contains('connection refused', 'refused')", expected: true),
        Success(function: "contains", source: "contains([1, 2.0], 2)", expected: true),
        Success(function: "contains", source: "contains(null, 'x')", expected: false),
        Success(function: "lower", source: "lower('ÉTL')", expected: "étl"),
        Success(function: "upper", source: "upper('etl')", expected: "ETL"),
        Success(function: "trim", source: "trim(out)", expected: "42"),
        Success(function: "startsWith", source: "startsWith('etl-core', 'etl')", expected: true),
        Success(function: "endsWith", source: "endsWith('etl-core', 'etl')", expected: false),
        Success(function: "int", source: "int(trim(out))", expected: 42),
        Success(function: "int", source: "int(' -7 ')", expected: -7),
        Success(function: "int", source: "int(3.9)", expected: 3),
        Success(function: "int", source: "int(-3.9)", expected: -3),
        Success(function: "int", source: "int(rate)", expected: 12),
        Success(function: "int", source: "int('1e3')", expected: 1000),
        Success(function: "int", source: "int('9223372036854775807')", expected: .int(.max)),
        Success(function: "int", source: "int(true)", expected: 1),
        Success(function: "int", source: "int(null)", expected: .null),
        Success(function: "number", source: "number('2.5')", expected: 2.5),
        Success(function: "number", source: "number(rate)", expected: .decimal(ExactDecimal("12.50")!)),
        Success(function: "number", source: "number(null)", expected: .null),
        Success(function: "string", source: "string(12)", expected: "12"),
        Success(function: "string", source: "string(rate)", expected: "12.50"),
        Success(function: "string", source: "string(huge)", expected: "12345678901234567890.123456789"),
        Success(function: "round", source: "round(12.345, 1)", expected: 12.3),
        Success(function: "round", source: "round(2.5)", expected: 3),
        Success(function: "round", source: "round(1234, -2)", expected: 1200),
        Success(function: "round", source: "round(rate, 1)", expected: .decimal(ExactDecimal("12.5")!)),
        Success(function: "round", source: "round(huge, 2)", expected: .decimal(ExactDecimal("12345678901234567890.12")!)),
        Success(function: "round", source: "round(huge)", expected: .decimal(ExactDecimal("12345678901234567890")!)),
        Success(function: "round", source: "round(number('1e300'))", expected: 1e300),
        Success(function: "round", source: "round(null)", expected: .null),
        Success(function: "abs", source: "abs(-3)", expected: 3),
        Success(function: "abs", source: "abs(-2.5)", expected: 2.5),
        Success(function: "abs", source: "abs(-huge)", expected: .decimal(ExactDecimal("12345678901234567890.123456789")!)),
        Success(function: "min", source: "min(3, 1.5, 2)", expected: 1.5),
        Success(function: "min", source: "min(pluck(rows, 'n'))", expected: 2),
        Success(function: "min", source: "min([])", expected: .null),
        Success(function: "max", source: "max([1, null, 4])", expected: 4),
        Success(function: "max", source: "max(rate, 12.49)", expected: .decimal(ExactDecimal("12.50")!)),
        Success(function: "sum", source: "sum(pluck(rows, 'n'))", expected: 7),
        Success(function: "sum", source: "sum([])", expected: 0),
        Success(function: "sum", source: "sum(rate, 1)", expected: .decimal(ExactDecimal("13.50")!)),
        Success(function: "avg", source: "avg(1, 2)", expected: 1.5),
        Success(function: "avg", source: "avg([2, null, 4])", expected: 3),
        Success(function: "avg", source: "avg([])", expected: .null),
        Success(function: "coalesce", source: "coalesce(null, 0, 1)", expected: 0),
        Success(function: "coalesce", source: "coalesce(null)", expected: .null),
        Success(function: "join", source: "join(['a', 1, true])", expected: "a, 1, true"),
        Success(function: "join", source: "join(pluck(rows, 'name'), '|')", expected: "a|b"),
        Success(function: "pluck", source: "pluck(rows, 'name')", expected: ["a", "b"]),
        Success(function: "pluck", source: "pluck(null, 'name')", expected: []),
        Success(function: "keys", source: "keys(row)", expected: ["id", "status"]),
        Success(function: "has", source: "has(row, 'status')", expected: true),
        Success(function: "has", source: "has(row, 'missing')", expected: false),
        Success(function: "has", source: "has(null, 'status')", expected: false),
        Success(function: "matches", source: "matches('file 42 done', '\\d+')", expected: true),
        Success(function: "matches", source: "matches('ERROR: x', '(?i)^error')", expected: true),
        Success(function: "split", source: "split('a,b,,c', ',')", expected: ["a", "b", "", "c"]),
        Success(function: "capture", source: "capture('Use%\\n 18%', '([0-9]+)%')", expected: "18"),
        Success(function: "capture", source: "capture('took 35ms', '\\d+ms')", expected: "35ms"),
        Success(function: "capture", source: "capture('nothing', '\\d+')", expected: .null),
        Success(function: "capture", source: "capture(null, '\\d+')", expected: .null),
        Success(function: "replace", source: "replace('a-b-c', '-', '+')", expected: "a+b+c"),
        Success(function: "substring", source: "substring('runbook', 3)", expected: "book"),
        Success(function: "substring", source: "substring('runbook', 0, 3)", expected: "run"),
        Success(function: "substring", source: "substring('runbook', -5, 100)", expected: "runbook"),
        Success(function: "substring", source: "substring('runbook', 2, 9223372036854775807)", expected: "nbook"),
        Success(function: "if", source: "if(row.status == 'ok', 'green', 'red')", expected: "green"),
        Success(function: "if", source: "if(0, 'yes', 'no')", expected: "no"),
    ]

    static let failures: [Failure] = [
        Failure(function: "len", source: "len(3)", message: "len() needs a string, list or object, not a int"),
        Failure(function: "len", source: "len('a', 'b')", message: "len() takes 1 argument, got 2"),
        Failure(function: "contains", source: "contains(3, 'x')", message: "contains() needs a string or list first"),
        Failure(function: "contains", source: "contains('abc', 1)", message: "contains() needs a string, not a int"),
        Failure(function: "lower", source: "lower(1)", message: "lower() needs a string, not a int"),
        Failure(function: "upper", source: "upper(null)", message: "upper() needs a string, not a null"),
        Failure(function: "trim", source: "trim()", message: "trim() takes 1 argument, got 0"),
        Failure(function: "startsWith", source: "startsWith('a')", message: "startsWith() takes 2 arguments, got 1"),
        Failure(function: "endsWith", source: "endsWith(['a'], 'a')", message: "endsWith() needs a string, not a list"),
        Failure(function: "int", source: "int('99999999999999999999')", message: "int(): 99999999999999999999 does not fit a 64-bit integer"),
        Failure(function: "int", source: "int('12 apples')", message: "int(): '12 apples' is not a number"),
        Failure(function: "int", source: "int(number('1e20'))", message: "does not fit a 64-bit integer"),
        Failure(function: "int", source: "int(huge)", message: "int(): 12345678901234567890.123456789 does not fit a 64-bit integer"),
        Failure(function: "int", source: "int([1])", message: "int() cannot convert a list"),
        Failure(function: "number", source: "number('abc')", message: "number(): 'abc' is not a finite number"),
        Failure(function: "number", source: "number('1e999')", message: "is not a finite number"),
        Failure(function: "number", source: "number(true)", message: "number() cannot convert a bool"),
        Failure(function: "string", source: "string()", message: "string() takes 1 argument, got 0"),
        Failure(function: "round", source: "round('1.5')", message: "round() needs a number, not a string"),
        Failure(function: "round", source: "round(1.5, 400)", message: "round() places must be between -30 and 30"),
        Failure(function: "round", source: "round(1.5, 'x')", message: "round() places needs a number"),
        Failure(function: "abs", source: "abs(-9223372036854775807 - 1)", message: "abs(-9223372036854775808) does not fit a 64-bit integer"),
        Failure(function: "abs", source: "abs('x')", message: "abs() needs a number, not a string"),
        Failure(function: "min", source: "min()", message: "min() needs at least one argument"),
        Failure(function: "max", source: "max(['a', 1])", message: "max() needs numbers, found a string"),
        Failure(function: "sum", source: "sum([9223372036854775807, 1])", message: "integer overflow: 9223372036854775807 + 1"),
        Failure(function: "avg", source: "avg(['x'])", message: "avg() needs numbers, found a string"),
        Failure(function: "coalesce", source: "coalesce()", message: "coalesce() needs at least one argument"),
        Failure(function: "join", source: "join('a')", message: "join() needs a list, not a string"),
        Failure(function: "pluck", source: "pluck(row, 'id')", message: "pluck() needs a list of objects, not a object"),
        Failure(function: "keys", source: "keys(rows)", message: "keys() needs an object, not a list"),
        Failure(function: "has", source: "has(row, 1)", message: "has() needs a string, not a int"),
        Failure(function: "matches", source: "matches(out, '(a')", message: "matches(): invalid regular expression '(a': missing ')'"),
        Failure(function: "matches", source: "matches(1, 'a')", message: "matches() needs a string, not a int"),
        Failure(function: "matches", source: "matches(out, 'x(?i)y')", message: "supported only as '(?i)' at the start"),
        Failure(function: "split", source: "split('a b')", message: "split() takes 2 arguments, got 1"),
        Failure(function: "capture", source: "capture(out, '(a)\\1')", message: "backreferences"),
        Failure(function: "capture", source: "capture(out, row.status + '[')", message: "capture(): invalid regular expression 'ok[': missing ']'"),
        Failure(function: "replace", source: "replace('a', 'b')", message: "replace() takes 3 arguments, got 2"),
        Failure(function: "substring", source: "substring('abc', number('1e30'))", message: "substring() start: 1e+30 does not fit a 64-bit integer"),
        Failure(function: "substring", source: "substring('abc', 'x')", message: "substring() start needs a number, not a string"),
        Failure(function: "if", source: "if(true, 1)", message: "if() takes 3 arguments, got 2"),
    ]

    func evaluate(_ source: String) throws(ExpressionError) -> Value {
        try Expression(source).evaluate(in: FunctionTests.scope)
    }

    @Test("a normal call", arguments: FunctionTests.successes)
    func success(_ c: Success) throws {
        let value = try evaluate(c.source)
        #expect(value == c.expected, "\(c.source) gave \(value)")
    }

    @Test("a bad call is an error naming the function", arguments: FunctionTests.failures)
    func failure(_ c: Failure) {
        do {
            let value = try evaluate(c.source)
            Issue.record("\(c.source) gave \(value)")
        } catch {
            #expect(error.message.contains(c.message), "\(c.source): \(error.message)")
        }
    }

    @Test("every function has a normal case and an error case")
    func everyFunctionIsCovered() {
        let succeeding = Set(FunctionTests.successes.map(\.function))
        let failing = Set(FunctionTests.failures.map(\.function))
        for name in Functions.names {
            #expect(succeeding.contains(name), "\(name) has no normal case")
            #expect(failing.contains(name), "\(name) has no error case")
        }
    }
}
