public import Foundation

/// An exact decimal number, as PostgreSQL's `numeric` holds it: its significant digits and its
/// scale (how many of them follow the decimal point). `1.50` keeps its two places and
/// `12345678901234567890.123456789` every digit; neither goes through `Double`.
///
/// Two decimals are `==` (and hash alike) only when they are written alike (`1.50` is not
/// `1.5`); use ``compare(_:)`` for the numeric order, which is exact for any size. Arithmetic
/// (``adding(_:)``, ``multiplying(_:)``...) is exact too, on the digits themselves, and gives
/// `nil` when a result would need more than ``maxDigits`` digits, so a runaway expression
/// fails instead of eating memory.
public struct ExactDecimal: Sendable, Hashable, CustomStringConvertible {
    /// The most digits an arithmetic result may have.
    public static let maxDigits = 1000

    /// Whether the number is below zero (never true for zero).
    public let isNegative: Bool
    /// The significant digits, most significant first, each 0...9, without leading zeros (empty for zero).
    let digits: [UInt8]
    /// How many digits follow the decimal point. Negative for zeros not stored: `1e+3` is
    /// digits `[1]` with scale -3.
    public let scale: Int

    init(isNegative: Bool, digits: some Collection<UInt8>, scale: Int) {
        let significant = digits.drop { $0 == 0 }
        self.digits = Array(significant)
        self.isNegative = isNegative && !significant.isEmpty
        self.scale = scale
    }

    /// The decimal of `significand` (ASCII digits only) × 10^-`scale`; nil when `significand`
    /// is empty or holds anything but digits.
    public init?(significand: String, scale: Int, isNegative: Bool = false) {
        let bytes = Array(significand.utf8)
        guard !bytes.isEmpty, bytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        self.init(isNegative: isNegative, digits: bytes.map { $0 - 0x30 }, scale: scale)
    }

    /// Parses decimal text: an optional sign, digits with an optional point, an optional
    /// exponent (`-12.50`, `1e+3`, `.5`). Nil for anything else (`NaN`, `0x10`, `1,5`) or for
    /// absurd sizes (more than 200,000 digits, an exponent of more than 7 digits).
    public init?(_ text: some StringProtocol) {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var digits: [UInt8] = []
        var scale = 0
        var sawDigit = false
        var sawPoint = false
        while let b = bytes.first {
            if (0x30...0x39).contains(b) {
                if !(digits.isEmpty && b == 0x30) { digits.append(b - 0x30) }
                sawDigit = true
                if sawPoint { scale += 1 }
            } else if b == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            bytes = bytes.dropFirst()
        }
        guard sawDigit, digits.count <= 200_000 else { return nil }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            var exponentNegative = false
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                exponentNegative = sign == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            guard !bytes.isEmpty, bytes.count <= 7, bytes.allSatisfy({ (0x30...0x39).contains($0) }),
                let exponent = Int(String(decoding: bytes, as: UTF8.self))
            else { return nil }
            scale += exponentNegative ? exponent : -exponent
            bytes = bytes.dropFirst(bytes.count)
        }
        guard bytes.isEmpty else { return nil }
        self.init(isNegative: negative, digits: digits, scale: scale)
    }

    /// The integer, exactly.
    public init(_ value: Int) {
        self.init(isNegative: value < 0, digits: String(value.magnitude).utf8.map { $0 - 0x30 }, scale: 0)
    }

    /// The double as its shortest round-trip text (`0.1` is 0.1, not 0.1000000000000000055...),
    /// which is what a reader of the number means by it; nil for NaN and infinities.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        self.init("\(value)")
    }

    /// Whether the number is zero (`0`, `0.00`).
    public var isZero: Bool { digits.isEmpty }

    /// The nearest `Double` (infinite when beyond its range).
    public var doubleValue: Double { Double(description) ?? .nan }

    /// The integer part (truncated toward zero), or nil when it does not fit an `Int`.
    public var truncatedInt: Int? {
        let integerDigits = digits.count - scale
        guard integerDigits > 0 else { return 0 }
        guard integerDigits <= 20 else { return nil }
        var text = isNegative ? "-" : ""
        for n in 0..<integerDigits { text.append(Character(Unicode.Scalar(0x30 + (n < digits.count ? digits[n] : 0)))) }
        return Int(text)
    }

    /// The text: plain notation with every digit of the scale (`1.50`, `-0.001`,
    /// `12345678901234567890.123456789`); scientific (`1.5e+300`) only when plain notation
    /// would need more than 40 zeros that are not digits of the number. Always a valid JSON number.
    public var description: String {
        let sign = isNegative ? "-" : ""
        let text = String(decoding: digits.map { $0 + 0x30 }, as: UTF8.self)
        if digits.isEmpty {
            return scale > 0 && scale <= 40 ? "0." + String(repeating: "0", count: scale) : "0"
        }
        if scale <= 0, -scale <= 40 {
            return sign + text + String(repeating: "0", count: -scale)
        }
        if scale > 0, scale < digits.count {
            return sign + String(text.dropLast(scale)) + "." + String(text.suffix(scale))
        }
        if scale >= digits.count, scale - digits.count <= 40 {
            return sign + "0." + String(repeating: "0", count: scale - digits.count) + text
        }
        let exponent = digits.count - 1 - scale
        let mantissa = digits.count > 1 ? String(text.prefix(1)) + "." + String(text.dropFirst()) : text
        return sign + mantissa + "e" + (exponent >= 0 ? "+" : "-") + String(exponent.magnitude)
    }

    /// The numeric order, exact for any number of digits (`1.50` and `1.5` are the same).
    public func compare(_ other: ExactDecimal) -> ComparisonResult {
        if isNegative != other.isNegative { return isNegative ? .orderedAscending : .orderedDescending }
        let magnitude = ExactDecimal.compareMagnitudes(self, other)
        guard isNegative else { return magnitude }
        switch magnitude {
        case .orderedAscending: return .orderedDescending
        case .orderedDescending: return .orderedAscending
        case .orderedSame: return .orderedSame
        }
    }

    private static func compareMagnitudes(_ a: ExactDecimal, _ b: ExactDecimal) -> ComparisonResult {
        if a.isZero { return b.isZero ? .orderedSame : .orderedAscending }
        if b.isZero { return .orderedDescending }
        // With no leading zeros, the position of the first digit decides first.
        let ea = a.digits.count - a.scale
        let eb = b.digits.count - b.scale
        if ea != eb { return ea < eb ? .orderedAscending : .orderedDescending }
        for n in 0..<max(a.digits.count, b.digits.count) {
            let x = n < a.digits.count ? a.digits[n] : 0
            let y = n < b.digits.count ? b.digits[n] : 0
            if x != y { return x < y ? .orderedAscending : .orderedDescending }
        }
        return .orderedSame
    }
}
