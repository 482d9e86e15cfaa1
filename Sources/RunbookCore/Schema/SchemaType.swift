/// The type of a key in one of the project's file formats, as both the loader's key check and
/// `runbook schema` read it (``FormatSchema``).
public indirect enum SchemaType: Sendable {
    /// Text; `values` limits it to a list of words.
    case string(values: [String] = [])
    /// A whole number, within `range` when given.
    case integer(ClosedRange<Int>? = nil)
    /// Any number.
    case number
    /// true or false.
    case boolean
    /// `500ms`, `30s`, `5m`, `2h`, or a whole number of seconds.
    case duration
    /// An expression (`result.rows[0].error_rate > 10`), or a literal a YAML scalar gives.
    case expression
    /// Text that may interpolate `${{ expr }}`.
    case template
    /// A string or a list of strings.
    case stringOrList
    /// A list of items of one type.
    case list(SchemaType, minItems: Int = 0)
    /// A mapping with the keys of `SchemaObject`.
    case object(SchemaObject)
    /// A mapping of any names to values of one type.
    case map(SchemaType)
    /// Any YAML value.
    case any
    /// One of several types.
    case anyOf([SchemaType])
    /// One of several mappings, told apart by which of their required first keys is present
    /// (a step is `check:`, `action:` or `notify:`): an editor then checks the one it is.
    case tagged([SchemaObject])
    /// A named definition of the same format (`$defs`), for shapes used in several places.
    case ref(String)
}

/// One key of a mapping: its name, type, what it means and an example.
public struct SchemaKey: Sendable {
    /// The key as written in the file.
    public var name: String
    /// What its value may be.
    public var type: SchemaType
    /// What it is for, shown by editors on hover.
    public var description: String
    /// Example values, shown by editors.
    public var examples: [Value]
    /// The mapping must have it.
    public var required: Bool

    /// A key.
    public init(_ name: String, _ type: SchemaType, _ description: String, examples: [Value] = [], required: Bool = false) {
        self.name = name
        self.type = type
        self.description = description
        self.examples = examples
        self.required = required
    }
}

/// A mapping's keys; `additional` says whether other keys are allowed (they are not, except in
/// environment files, whose extra values runbooks read as `env.<key>`).
public struct SchemaObject: Sendable {
    /// The keys it may have.
    public var keys: [SchemaKey]
    /// Whether keys not listed are allowed.
    public var additional: Bool
    /// What the mapping is.
    public var description: String

    /// A mapping of `keys`.
    public init(_ description: String, _ keys: [SchemaKey], additional: Bool = false) {
        self.description = description
        self.keys = keys
        self.additional = additional
    }

    /// The key names, in order: what the loader's unknown-key check allows.
    public var names: [String] { keys.map(\.name) }
}
