import Foundation

/// The numbers of the expression language: ints, doubles and exact decimals, compared and
/// combined without ever trapping. Every integer operation is checked (an overflow is an
/// error naming the operation, not a crash or a silent wrap); division and remainder by zero
/// are errors; conversions to an integer fail when the value does not fit 64 bits.
///
/// Types combine as follows: int with int stays int (`7 / 2` gives the number 3.5); a decimal
/// with an int or a decimal stays an exact decimal; anything with a double is a double.
/// Comparisons between different types are exact: a double counts as its shortest decimal
/// text (`0.1`), so a `numeric` column of `0.1` equals the literal `0.1`.
enum Arithmetic {
    /// The numeric order of two numbers, or nil when either is not a number or is NaN.
    static func order(_ l: Value, _ r: Value) -> ComparisonResult? {
        switch (l, r) {
        case (.int(let a), .int(let b)):
            return a < b ? .orderedAscending : (a > b ? .orderedDescending : .orderedSame)
        case (.double(let a), .double(let b)):
            if a.isNaN || b.isNaN { return nil }
            return a < b ? .orderedAscending : (a > b ? .orderedDescending : .orderedSame)
        case (.double(let d), _) where !d.isFinite:
            guard r.isNumber, !d.isNaN else { return nil }
            return d > 0 ? .orderedDescending : .orderedAscending
        case (_, .double(let d)) where !d.isFinite:
            guard l.isNumber, !d.isNaN else { return nil }
            return d > 0 ? .orderedAscending : .orderedDescending
        default:
            guard let a = exact(l), let b = exact(r) else { return nil }
            return a.compare(b)
        }
    }

    /// `l op r` for two numbers and one of `+ - * / %`.
    static func apply(_ op: String, _ l: Value, _ r: Value, at o: Int) throws(ExpressionError) -> Value {
        switch (l, r) {
        case (.int(let a), .int(let b)):
            return try integer(op, a, b, at: o)
        case (.double, _), (_, .double):
            guard let a = l.number, let b = r.number else { throw notNumbers(op, l, r, at: o) }
            switch op {
            case "+": return .double(a + b)
            case "-": return .double(a - b)
            case "*": return .double(a * b)
            case "/":
                guard b != 0 else { throw ExpressionError("division by zero: \(show(l)) / \(show(r))", at: o) }
                return .double(a / b)
            default:
                guard b != 0 else { throw ExpressionError("remainder of a division by zero: \(show(l)) % \(show(r))", at: o) }
                return .double(a.truncatingRemainder(dividingBy: b))
            }
        default:
            guard let a = exact(l), let b = exact(r) else { throw notNumbers(op, l, r, at: o) }
            if op == "/" || op == "%", b.isZero {
                let what = op == "/" ? "division by zero" : "remainder of a division by zero"
                throw ExpressionError("\(what): \(show(l)) \(op) \(show(r))", at: o)
            }
            let result: ExactDecimal?
            switch op {
            case "+": result = a.adding(b)
            case "-": result = a.subtracting(b)
            case "*": result = a.multiplying(b)
            case "/": result = a.dividing(by: b)
            default: result = a.remainder(dividingBy: b)
            }
            guard let result else {
                throw ExpressionError("\(show(l)) \(op) \(show(r)) needs more than \(ExactDecimal.maxDigits) digits", at: o)
            }
            return .decimal(result)
        }
    }

    /// `-v` for a number.
    static func negate(_ v: Value, at o: Int) throws(ExpressionError) -> Value {
        switch v {
        case .int(let i):
            let (n, overflow) = 0.subtractingReportingOverflow(i)
            guard !overflow else { throw overflowError("-(\(i))", at: o) }
            return .int(n)
        case .double(let d): return .double(-d)
        case .decimal(let d): return .decimal(d.negated)
        default: throw ExpressionError("cannot negate a \(v.typeName)", at: o)
        }
    }

    /// A number as an `Int`, truncated toward zero; `what` names the conversion in the error
    /// (`int()`, `substring() start`).
    static func integer(_ v: Value, _ what: String, at o: Int) throws(ExpressionError) -> Int {
        let converted: Int?
        switch v {
        case .int(let i): converted = i
        case .double(let d) where d.isFinite: converted = Int(exactly: d.rounded(.towardZero))
        case .decimal(let d): converted = d.truncatedInt
        case .double: converted = nil
        default: throw ExpressionError("\(what) needs a number, not a \(v.typeName)", at: o)
        }
        guard let converted else {
            throw ExpressionError("\(what): \(show(v)) does not fit a 64-bit integer (\(Int.min) to \(Int.max))", at: o)
        }
        return converted
    }

    /// The exact decimal of an int, a finite double or a decimal.
    static func exact(_ v: Value) -> ExactDecimal? {
        switch v {
        case .int(let i): ExactDecimal(i)
        case .double(let d): ExactDecimal(d)
        case .decimal(let d): d
        default: nil
        }
    }

    private static func integer(_ op: String, _ a: Int, _ b: Int, at o: Int) throws(ExpressionError) -> Value {
        let result: (partialValue: Int, overflow: Bool)
        switch op {
        case "+": result = a.addingReportingOverflow(b)
        case "-": result = a.subtractingReportingOverflow(b)
        case "*": result = a.multipliedReportingOverflow(by: b)
        case "/":
            guard b != 0 else { throw ExpressionError("division by zero: \(a) / \(b)", at: o) }
            let (q, qOverflow) = a.dividedReportingOverflow(by: b)
            guard !qOverflow else { throw overflowError("\(a) / \(b)", at: o) }
            return a.remainderReportingOverflow(dividingBy: b).partialValue == 0 ? .int(q) : .double(Double(a) / Double(b))
        default:
            guard b != 0 else { throw ExpressionError("remainder of a division by zero: \(a) % \(b)", at: o) }
            // Int.min % -1 is 0, though computing it traps.
            return .int(a.remainderReportingOverflow(dividingBy: b).partialValue)
        }
        guard !result.overflow else { throw overflowError("\(a) \(op) \(b)", at: o) }
        return .int(result.partialValue)
    }

    private static func overflowError(_ operation: String, at o: Int) -> ExpressionError {
        ExpressionError("integer overflow: \(operation) does not fit a 64-bit integer (\(Int.min) to \(Int.max))", at: o)
    }

    private static func notNumbers(_ op: String, _ l: Value, _ r: Value, at o: Int) -> ExpressionError {
        ExpressionError("'\(op)' needs numbers, not a \(l.typeName) and a \(r.typeName)", at: o)
    }

    /// A value as shown in an error: its text, shortened when long, strings quoted.
    static func show(_ v: Value) -> String {
        var text = v.interpolated
        if text.count > 60 { text = String(text.prefix(57)) + "..." }
        if case .string = v { return "'\(text)'" }
        return text
    }
}
