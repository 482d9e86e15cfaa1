import RunbookCore
import Testing
@testable import RunbookDrivers

/// PostgreSQL's numeric, decoded exactly (no database needed).
@Suite("SQL numeric decoding")
struct SQLNumericTests {
    /// A binary numeric: base-10000 digits, the weight of the first, sign, display scale.
    func binary(_ groups: [Int16], weight: Int16, sign: UInt16 = 0, scale: Int16) -> Value {
        var bytes: [UInt8] = []
        for field in [UInt16(groups.count), UInt16(bitPattern: weight), sign, UInt16(bitPattern: scale)] + groups.map({ UInt16(bitPattern: $0) }) {
            bytes += [UInt8(field >> 8), UInt8(field & 0xFF)]
        }
        return SQLDriver.exactNumeric(binary: bytes)
    }

    @Test func binaryNumericKeepsDigitsAndScale() {
        #expect(binary([1, 5000], weight: 0, scale: 2).interpolated == "1.50")
        #expect(binary([1], weight: 0, scale: 2).interpolated == "1.00")
        #expect(binary([], weight: 0, scale: 3).interpolated == "0.000")
        #expect(binary([1], weight: 2, scale: 0).interpolated == "100000000")
        #expect(binary([1], weight: -1, sign: 0x4000, scale: 4).interpolated == "-0.0001")
        // 12345678901234567890.123456789 is 1234 5678 9012 3456 7890 . 1234 5678 9000
        let huge = binary([1234, 5678, 9012, 3456, 7890, 1234, 5678, 9000], weight: 4, scale: 9)
        #expect(huge == .decimal(ExactDecimal("12345678901234567890.123456789")!))
        #expect(binary([], weight: 0, sign: 0xC000, scale: 0).number?.isNaN == true)
        #expect(binary([], weight: 0, sign: 0xD000, scale: 0) == .double(.infinity))
        #expect(SQLDriver.exactNumeric(binary: [0, 1]) == .string("<numeric value: unreadable>"))
    }

    @Test func textNumeric() {
        #expect(SQLDriver.exactNumeric(text: "-12.50") == .decimal(ExactDecimal("-12.50")!))
        #expect(SQLDriver.exactNumeric(text: "-Infinity") == .double(-.infinity))
    }
}
