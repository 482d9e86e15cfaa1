import PostgresNIO
import RunbookCore

extension SQLDriver {
    /// A `numeric` cell as an exact decimal, every digit and the column's display scale kept
    /// (`12.50` stays `12.50`, `12345678901234567890.123456789` is not rounded to a double).
    ///
    /// Read from PostgreSQL's binary form (a count of base-10000 digits, the weight of the first,
    /// the sign, the display scale, then the digits) rather than through `Double`, or through
    /// PostgresNIO's `PostgresNumeric.string`, which drops the zeros of the display scale that
    /// PostgreSQL does not store (`1.00` would read `1`). `NaN` and `±Infinity` become doubles.
    static func numericValue(_ cell: PostgresCell) -> Value {
        guard let buffer = cell.bytes else { return .null }
        let bytes = Array(buffer.readableBytesView)
        if cell.format == .text { return exactNumeric(text: String(decoding: bytes, as: UTF8.self)) }
        return exactNumeric(binary: bytes)
    }

    /// A numeric in PostgreSQL's binary form.
    static func exactNumeric(binary bytes: [UInt8]) -> Value {
        var offset = 0
        func int16() -> Int16? {
            guard offset + 2 <= bytes.count else { return nil }
            defer { offset += 2 }
            return Int16(bitPattern: UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]))
        }
        guard let count = int16(), let weight = int16(), let signBits = int16(), let displayScale = int16(),
            count >= 0, displayScale >= 0
        else { return .string("<numeric value: unreadable>") }
        let sign = UInt16(bitPattern: signBits)
        switch sign {
        case 0xC000: return .double(.nan)
        case 0xD000: return .double(.infinity)
        case 0xF000: return .double(-.infinity)
        case 0x0000, 0x4000: break
        default: return .string("<numeric value: unreadable>")
        }
        var significand = ""
        for _ in 0..<count {
            guard let group = int16(), (0...9999).contains(group) else {
                return .string("<numeric value: unreadable>")
            }
            let text = String(group)
            significand += String(repeating: "0", count: 4 - text.count) + text
        }
        // The last group stands for 10000^(weight - count + 1); the display scale then says how
        // many decimal places to show (PostgreSQL drops zero groups at either end).
        let storedScale = 4 * (Int(count) - 1 - Int(weight))
        let scale = Int(displayScale)
        if storedScale > scale {
            significand = String(significand.dropLast(min(significand.count, storedScale - scale)))
        } else if !significand.isEmpty {
            significand += String(repeating: "0", count: scale - storedScale)
        }
        let decimal = ExactDecimal(significand: significand.isEmpty ? "0" : significand, scale: scale, isNegative: sign == 0x4000)
        return decimal.map(Value.decimal) ?? .string("<numeric value: unreadable>")
    }

    /// A numeric in PostgreSQL's text form (`12.50`, `NaN`, `-Infinity`).
    static func exactNumeric(text: String) -> Value {
        switch text {
        case "NaN": return .double(.nan)
        case "Infinity": return .double(.infinity)
        case "-Infinity": return .double(-.infinity)
        default: return ExactDecimal(text).map(Value.decimal) ?? .string(text)
        }
    }
}
