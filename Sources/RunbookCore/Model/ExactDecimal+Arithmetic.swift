import Foundation

/// Exact arithmetic on the digits (schoolbook addition, multiplication and long division), so
/// no operation is limited to the 38 digits of `Foundation.Decimal` or rounded through `Double`.
/// Each operation gives `nil` when its result would have more than ``ExactDecimal/maxDigits``
/// digits or a scale beyond ±100,000,000; the caller turns that into an error.
extension ExactDecimal {
    /// The largest scale (or negative scale) a result may have.
    static let maxScale = 100_000_000

    /// The number with the other sign.
    public var negated: ExactDecimal { ExactDecimal(isNegative: !isNegative, digits: digits, scale: scale) }

    /// The number without its sign.
    public var magnitude: ExactDecimal { ExactDecimal(isNegative: false, digits: digits, scale: scale) }

    /// `self + other`, with the larger of the two scales.
    public func adding(_ other: ExactDecimal) -> ExactDecimal? {
        let s = max(scale, other.scale)
        guard let a = digits(atScale: s), let b = other.digits(atScale: s) else { return nil }
        if isNegative == other.isNegative {
            return ExactDecimal.checked(isNegative: isNegative, digits: ExactDecimal.add(a, b), scale: s)
        }
        if ExactDecimal.compareIntegers(a, b) != .orderedAscending {
            return ExactDecimal.checked(isNegative: isNegative, digits: ExactDecimal.subtract(a, b), scale: s)
        }
        return ExactDecimal.checked(isNegative: other.isNegative, digits: ExactDecimal.subtract(b, a), scale: s)
    }

    /// `self - other`, with the larger of the two scales.
    public func subtracting(_ other: ExactDecimal) -> ExactDecimal? { adding(other.negated) }

    /// `self × other`, with the sum of the two scales (as PostgreSQL does: `1.5 * 2.00` is `3.000`).
    public func multiplying(_ other: ExactDecimal) -> ExactDecimal? {
        guard digits.count + other.digits.count <= ExactDecimal.maxDigits + 1 else { return nil }
        return ExactDecimal.checked(
            isNegative: isNegative != other.isNegative, digits: ExactDecimal.multiply(digits, other.digits), scale: scale + other.scale)
    }

    /// `self ÷ other`, rounded half away from zero to at least 16 significant digits, keeping at
    /// least the larger scale of the two and no trailing zeros beyond it (`10.00 / 4` is `2.50`,
    /// `1 / 3` is `0.3333333333333333`). Nil when `other` is zero.
    public func dividing(by other: ExactDecimal) -> ExactDecimal? {
        guard !other.isZero else { return nil }
        let keep = max(scale, other.scale, 0)
        if isZero { return ExactDecimal(isNegative: false, digits: [], scale: keep) }
        let quotientDigits = (digits.count - scale) - (other.digits.count - other.scale)
        let resultScale = max(16 - quotientDigits, keep)
        guard resultScale <= ExactDecimal.maxDigits else { return nil }
        // self/other × 10^resultScale, with one more digit to round on.
        let shift = resultScale + 1 + other.scale - scale
        guard shift.magnitude <= UInt(2 * ExactDecimal.maxDigits) else { return nil }
        let numerator = shift >= 0 ? digits + repeatElement(0, count: shift) : digits
        let denominator = shift < 0 ? other.digits + repeatElement(0, count: -shift) : other.digits
        var quotient = ExactDecimal.divide(numerator, denominator).quotient
        let roundingDigit = quotient.removeLast()
        if roundingDigit >= 5 { quotient = ExactDecimal.add(quotient, [1]) }
        var resultDigits = quotient.drop { $0 == 0 }
        var s = resultScale
        while s > keep, resultDigits.last == 0 {
            resultDigits.removeLast()
            s -= 1
        }
        return ExactDecimal.checked(isNegative: isNegative != other.isNegative, digits: resultDigits, scale: s)
    }

    /// The remainder of `self ÷ other` truncated toward zero (the sign of `self`, as in SQL and
    /// Swift), with the larger of the two scales. Nil when `other` is zero.
    public func remainder(dividingBy other: ExactDecimal) -> ExactDecimal? {
        guard !other.isZero else { return nil }
        let s = max(scale, other.scale)
        guard let a = digits(atScale: s), let b = other.digits(atScale: s) else { return nil }
        return ExactDecimal.checked(isNegative: isNegative, digits: ExactDecimal.divide(a, b).remainder, scale: s)
    }

    /// Rounded half away from zero to `places` digits after the point (negative: to tens,
    /// hundreds...), padding with zeros when it has fewer (`round(1.5, 2)` is `1.50`).
    public func rounded(toScale places: Int) -> ExactDecimal? {
        guard places.magnitude <= UInt(ExactDecimal.maxScale) else { return nil }
        if places >= scale {
            guard digits.isEmpty || digits.count + (places - scale) <= ExactDecimal.maxDigits else { return nil }
            let padded = digits.isEmpty ? [] : digits + repeatElement(0, count: places - scale)
            return ExactDecimal(isNegative: isNegative, digits: padded, scale: places)
        }
        let drop = scale - places
        var kept = drop < digits.count ? Array(digits.dropLast(drop)) : []
        let roundingDigit = drop <= digits.count ? digits[digits.count - drop] : 0
        if roundingDigit >= 5 { kept = ExactDecimal.add(kept, [1]) }
        return ExactDecimal.checked(isNegative: isNegative, digits: kept, scale: places)
    }

    // MARK: - Digits

    /// The digits of the number × 10^s as an integer (s at least the scale).
    private func digits(atScale s: Int) -> [UInt8]? {
        if digits.isEmpty { return [] }
        let zeros = s - scale
        guard digits.count + zeros <= ExactDecimal.maxDigits else { return nil }
        return digits + repeatElement(0, count: zeros)
    }

    private static func checked(isNegative: Bool, digits: some Collection<UInt8>, scale: Int) -> ExactDecimal? {
        let result = ExactDecimal(isNegative: isNegative, digits: digits, scale: scale)
        guard result.digits.count <= maxDigits, result.scale.magnitude <= UInt(maxScale) else { return nil }
        return result
    }

    /// Integers as digit arrays, most significant first; leading zeros allowed.
    static func add(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: max(a.count, b.count) + 1)
        var carry: UInt8 = 0
        var i = a.count - 1
        var j = b.count - 1
        for k in stride(from: out.count - 1, through: 0, by: -1) {
            let sum = (i >= 0 ? a[i] : 0) + (j >= 0 ? b[j] : 0) + carry
            out[k] = sum % 10
            carry = sum / 10
            i -= 1
            j -= 1
        }
        return out
    }

    /// `a - b` for `a >= b`.
    static func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out = a
        var borrow = 0
        var j = b.count - 1
        for k in stride(from: out.count - 1, through: 0, by: -1) {
            var d = Int(out[k]) - Int(j >= 0 ? b[j] : 0) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 10 }
            out[k] = UInt8(d)
            j -= 1
        }
        return out
    }

    static func multiply(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        guard !a.isEmpty, !b.isEmpty else { return [] }
        var sums = [Int](repeating: 0, count: a.count + b.count)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                sums[i + j + 1] += Int(a[i]) * Int(b[j])
            }
        }
        for k in stride(from: sums.count - 1, to: 0, by: -1) {
            sums[k - 1] += sums[k] / 10
            sums[k] %= 10
        }
        return sums.map { UInt8($0) }
    }

    static func compareIntegers(_ a: [UInt8], _ b: [UInt8]) -> ComparisonResult {
        let x = a.drop { $0 == 0 }
        let y = b.drop { $0 == 0 }
        if x.count != y.count { return x.count < y.count ? .orderedAscending : .orderedDescending }
        for (p, q) in zip(x, y) where p != q { return p < q ? .orderedAscending : .orderedDescending }
        return .orderedSame
    }

    /// Long division of integers; `d` must not be zero.
    static func divide(_ n: [UInt8], _ d: [UInt8]) -> (quotient: [UInt8], remainder: [UInt8]) {
        let divisor = Array(d.drop { $0 == 0 })
        var quotient: [UInt8] = []
        quotient.reserveCapacity(n.count)
        var remainder: [UInt8] = []
        for digit in n {
            remainder.append(digit)
            remainder = Array(remainder.drop { $0 == 0 })
            var count: UInt8 = 0
            while compareIntegers(remainder, divisor) != .orderedAscending {
                remainder = Array(subtract(remainder, divisor).drop { $0 == 0 })
                count += 1
            }
            quotient.append(count)
        }
        return (quotient, remainder)
    }
}
