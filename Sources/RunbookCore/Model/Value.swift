import Foundation

/// A dynamically typed value: what inputs, environment entries and step results are made of,
/// and what expressions compute. Shaped like JSON, with integers kept apart from doubles, and
/// exact decimals (PostgreSQL `numeric`) apart from both.
public enum Value: Sendable, Hashable {
    /// `null`: a missing value, an SQL NULL, an unset key.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A 64-bit integer.
    case int(Int)
    /// A floating-point number: a JSON or YAML number with a fraction, a `number` input.
    case double(Double)
    /// An exact decimal: a PostgreSQL `numeric` (or any number with a fraction in a SQL row),
    /// with every digit and its scale (`1.50` stays `1.50`). Compared exactly with ints, doubles
    /// and other decimals; rendered and written to JSON as its exact text.
    case decimal(ExactDecimal)
    /// Text.
    case string(String)
    /// An ordered list.
    case list([Value])
    /// An object whose keys keep their order.
    case object(ValueObject)

    /// A short name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int: "int"
        case .double, .decimal: "number"
        case .string: "string"
        case .list: "list"
        case .object: "object"
        }
    }

    /// The value as a number, when it is one (ints widen to doubles; a decimal gives its
    /// nearest double, an approximation: compare decimals through expressions, which are exact).
    public var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        case .decimal(let d): d.doubleValue
        default: nil
        }
    }

    /// Whether the value is an int, a double or a decimal.
    public var isNumber: Bool {
        switch self {
        case .int, .double, .decimal: true
        default: false
        }
    }

    /// The string, when this is one (no conversion: `1` gives nil).
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The bool, when this is one (no truthiness).
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The list, when this is one.
    public var listValue: [Value]? {
        if case .list(let l) = self { return l }
        return nil
    }

    /// The object, when this is one.
    public var objectValue: ValueObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Truthiness used by `when`, `and`, `or`, `not`: null, false, 0, "" and empty collections are false.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .double(let d): d != 0
        case .decimal(let d): !d.isZero
        case .string(let s): !s.isEmpty
        case .list(let l): !l.isEmpty
        case .object(let o): !o.isEmpty
        }
    }

    /// Member access: `object.key`; anything else (or a missing key) gives `nil`.
    public subscript(key: String) -> Value? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The text a value takes when interpolated into a string: strings as they are,
    /// numbers in their shortest form, null as the empty string, collections as JSON.
    public var interpolated: String {
        switch self {
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): Value.format(d)
        case .decimal(let d): d.description
        case .string(let s): s
        case .list, .object: JSON.encode(self)
        }
    }

    static func format(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return String(d)
    }

    /// Builds an object value from ordered pairs.
    public static func object(_ pairs: [(String, Value)]) -> Value {
        .object(ValueObject(pairs))
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    /// `"text"` is `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `4` is `.int`.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// `true` is `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `1.5` is `.double` (not `.decimal`).
    public init(floatLiteral value: Double) { self = .double(value) }
    /// `[...]` is `.list`.
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    /// `nil` is `.null`.
    public init(nilLiteral: ()) { self = .null }
}
