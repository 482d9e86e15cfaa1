import Foundation
import Testing
@testable import RunbookCore

@Suite("Exact decimals (PostgreSQL numeric)")
struct ExactDecimalTests {
    func d(_ text: String) -> ExactDecimal { ExactDecimal(text)! }

    @Test("text keeps every digit and the scale", arguments: [
        ("1.50", "1.50"), ("12345678901234567890.123456789", "12345678901234567890.123456789"), ("-0.001", "-0.001"),
        ("0.00", "0.00"), ("-0", "0"), ("007", "7"), ("1e3", "1000"), ("+2.5E-3", "0.0025"), (".5", "0.5"),
        ("1e300", "1e+300"), ("-1.25e-60", "-1.25e-60"), ("99999999999999999999999999999999999999999", "99999999999999999999999999999999999999999"),
    ])
    func text(_ input: String, _ expected: String) {
        #expect(ExactDecimal(input)?.description == expected)
    }

    @Test("not numbers", arguments: ["", "-", ".", "NaN", "Infinity", "1,5", "0x10", "1e", "1e+", "1.2.3", " 1", "1e12345678"])
    func notNumbers(_ input: String) {
        #expect(ExactDecimal(input) == nil)
    }

    @Test func comparesExactlyWhateverTheSize() {
        #expect(d("1.50").compare(d("1.5")) == .orderedSame)
        #expect(d("12345678901234567890.123456789").compare(d("12345678901234567890.123456788")) == .orderedDescending)
        #expect(d("-12345678901234567890.5").compare(d("-12345678901234567890.4")) == .orderedAscending)
        #expect(d("0").compare(d("-0.000")) == .orderedSame)
        #expect(d("-1").compare(d("0")) == .orderedAscending)
        #expect(d("1e-50").compare(d("0")) == .orderedDescending)
        #expect(d("1e20").compare(d("99999999999999999999")) == .orderedDescending)
        #expect(d("1.50") != d("1.5"), "== is how it is written; compare() is the numeric order")
    }

    @Test func arithmeticIsExact() {
        #expect(d("0.1").adding(d("0.2"))?.description == "0.3")
        #expect(d("12345678901234567890.123456789").adding(d("1"))?.description == "12345678901234567891.123456789")
        #expect(d("1.50").subtracting(d("2"))?.description == "-0.50")
        #expect(d("1.5").multiplying(d("2.00"))?.description == "3.000")
        #expect(d("-99999999999999999999").multiplying(d("99999999999999999999"))?.description == "-9999999999999999999800000000000000000001")
        #expect(d("10.00").dividing(by: d("4"))?.description == "2.50")
        #expect(d("1").dividing(by: d("3"))?.description == "0.3333333333333333")
        #expect(d("2").dividing(by: d("3"))?.description == "0.6666666666666667")
        #expect(d("-7.5").dividing(by: d("2.5"))?.description == "-3.0")
        #expect(d("1").dividing(by: d("0")) == nil)
        #expect(d("7.5").remainder(dividingBy: d("2"))?.description == "1.5")
        #expect(d("-7").remainder(dividingBy: d("3"))?.description == "-1")
        #expect(d("1").remainder(dividingBy: d("0.0")) == nil)
    }

    @Test func roundsHalfAwayFromZero() {
        #expect(d("2.345").rounded(toScale: 2)?.description == "2.35")
        #expect(d("-2.345").rounded(toScale: 2)?.description == "-2.35")
        #expect(d("0.4").rounded(toScale: 0)?.description == "0")
        #expect(d("9.99").rounded(toScale: 1)?.description == "10.0")
        #expect(d("1.5").rounded(toScale: 3)?.description == "1.500")
        #expect(d("1250").rounded(toScale: -2)?.description == "1300")
    }

    @Test func runawayResultsAreRefused() {
        let big = d("9" + String(repeating: "9", count: 600))
        #expect(big.multiplying(big) == nil)
        #expect(d("1e-100000").adding(d("1e100000")) == nil)
        #expect(d("1").dividing(by: d("1e-5000")) == nil)
    }

    @Test func conversions() {
        #expect(d("9223372036854775807.9").truncatedInt == .max)
        #expect(d("-9223372036854775808").truncatedInt == .min)
        #expect(d("9223372036854775808").truncatedInt == nil)
        #expect(d("-0.9").truncatedInt == 0)
        #expect(d("1e3").truncatedInt == 1000)
        #expect(ExactDecimal(0.1)?.description == "0.1")
        #expect(ExactDecimal(Double.nan) == nil)
        #expect(ExactDecimal(Int.min).description == "-9223372036854775808")
        #expect(d("12345678901234567890.123456789").doubleValue == 12345678901234567890.123456789)
        #expect(ExactDecimal(significand: "00150", scale: 2)?.description == "1.50")
        #expect(ExactDecimal(significand: "1a", scale: 0) == nil)
    }

    @Test("a decimal value: exact in expressions, JSON and templates")
    func asValue() throws {
        let scope = ExpressionScope(["result": .object([("rows", [.object([
            ("x", .decimal(d("12345678901234567890.123456789"))), ("rate", .decimal(d("1.50"))), ("zero", .decimal(d("0.00"))),
        ])])])])
        func eval(_ source: String) throws -> Value { try Expression(source).evaluate(in: scope) }
        #expect(try eval("result.rows[0].x > 10") == true)
        #expect(try eval("result.rows[0].x > 12345678901234567890") == true)
        #expect(try eval("result.rows[0].x < 12345678901234567891") == true)
        #expect(try eval("result.rows[0].x == 12345678901234567890.123456789") == false, "the literal is a double, 12345678901234567000")
        #expect(try eval("result.rows[0].rate == 1.5") == true)
        #expect(try eval("result.rows[0].rate == 3 / 2") == true)
        #expect(try eval("result.rows[0].rate >= 1.5 and result.rows[0].rate <= 1.5") == true)
        #expect(try eval("result.rows[0].rate in [1, 1.5]") == true)
        #expect(try eval("result.rows[0].x + 1") == .decimal(d("12345678901234567891.123456789")))
        #expect(try eval("result.rows[0].rate * 2") == .decimal(d("3.00")))
        #expect(try eval("result.rows[0].rate + 0.25") == 1.75, "with a double, the result is a double")
        #expect(try eval("-result.rows[0].rate") == .decimal(d("-1.50")))
        #expect(try eval("not result.rows[0].zero") == true)
        #expect(try eval("string(result.rows[0].rate)") == "1.50")
        #expect(try Template("rate ${{ result.rows[0].rate }}, x ${{ result.rows[0].x }}").render(in: scope)
            == "rate 1.50, x 12345678901234567890.123456789")
        let divide = #expect(throws: ExpressionError.self) { try eval("result.rows[0].rate / result.rows[0].zero") }
        #expect(divide?.message.contains("division by zero") == true)
        #expect(JSON.encode(try eval("result.rows[0]")) == #"{"x":12345678901234567890.123456789,"rate":1.50,"zero":0.00}"#)
    }

    @Test("JSON: exact decimals on request, big integers always exact")
    func json() throws {
        let text = #"{"rate":1.50,"x":12345678901234567890.123456789,"n":7,"big":123456789012345678901234567890,"f":2.5}"#
        let exact = try JSON.parse(text, exactDecimals: true)
        #expect(exact["rate"] == .decimal(d("1.50")))
        #expect(exact["n"] == .int(7))
        #expect(exact["f"] == .decimal(d("2.5")))
        #expect(JSON.encode(exact) == text)
        let plain = try JSON.parse(text)
        #expect(plain["rate"] == .double(1.5))
        #expect(plain["big"] == .decimal(d("123456789012345678901234567890")))
    }
}
