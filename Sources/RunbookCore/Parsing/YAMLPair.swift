import Yams

/// One key of a YAML mapping with its value, as `YAMLDocument.mapping` returns them: a struct
/// rather than a tuple, so arrays of them are copied by specialized code, not through the
/// runtime's tuple witnesses (a measurable share of linting a folder).
struct YAMLPair {
    let key: String
    let keyNode: Node
    let value: Node
}

extension [YAMLPair] {
    /// The value of the first pair with `key`. The scan compares keys in place: a predicate
    /// given each pair (`firstIndex(where:)`) copied every pair it looked at, a measurable
    /// share of linting a folder.
    func value(_ key: String) -> Node? {
        for i in indices where self[i].key == key { return self[i].value }
        return nil
    }

    /// The key node of the first pair with `key` (where a diagnostic about the key points).
    func keyNode(_ key: String) -> Node? {
        for i in indices where self[i].key == key { return self[i].keyNode }
        return nil
    }
}
