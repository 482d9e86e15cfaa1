import Foundation

/// An object whose keys keep the order they were given in (SQL columns, JSON documents).
public struct ValueObject: Sendable, Hashable {
    /// The keys, in the order they were first set.
    public private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]

    /// An empty object.
    public init() {}

    /// An object of `pairs` in their order; a repeated key keeps its first place and its last
    /// value.
    public init(_ pairs: [(String, Value)]) {
        for (k, v) in pairs { self[k] = v }
    }

    /// An object of `dictionary`, keys sorted (a dictionary has no order to keep).
    public init(_ dictionary: [String: Value]) {
        for k in dictionary.keys.sorted() { self[k] = dictionary[k] }
    }

    /// Whether it has no keys.
    public var isEmpty: Bool { keys.isEmpty }
    /// How many keys it has.
    public var count: Int { keys.count }

    /// The value at `key`, nil when absent. Setting a new key appends it; setting nil removes
    /// it.
    public subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The pairs in key order.
    public var pairs: [(key: String, value: Value)] { keys.map { ($0, storage[$0]!) } }
}
