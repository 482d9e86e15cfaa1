import Yams

/// One key of a YAML mapping with its value, as `YAMLDocument.mapping` returns them: a struct
/// rather than a tuple, so arrays of them are copied by specialized code, not through the
/// runtime's tuple witnesses (a measurable share of linting a folder).
struct YAMLPair {
    let key: String
    let keyNode: Node
    let value: Node
}
