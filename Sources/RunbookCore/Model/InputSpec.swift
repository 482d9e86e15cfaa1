import Foundation

/// A typed input of a runbook or reusable check.
public struct InputSpec: Sendable, Hashable {
    /// An input's `type:`.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// What `--input` text becomes: `string` as given, `int` an integer, `number` a double,
        /// `bool` from true/false/yes/no/1/0/on/off, `uuid` lower-cased, `duration` (`30s`,
        /// `5m`) whole seconds as an int, `enum` one of ``InputSpec/values``.
        case string, int, number, bool, uuid, duration, `enum`
    }

    /// The input's name: `inputs.<name>`, `--input <name>=...`; letters, digits and underscores.
    public var name: String
    /// Its `type:`.
    public var kind: Kind
    /// `default:`, already of the input's type (a duration as seconds); nil for a required input.
    public var defaultValue: Value?
    /// Whether `--input` (or `with:`) must give it: set by `required: true`, and by the loader
    /// for every input without a default. Never true together with a default.
    public var required: Bool
    /// `description:`, shown by `runbook show`.
    public var description: String?
    /// Allowed values for `enum`.
    public var values: [String]
    /// Marks a value that must not be shown (it is redacted like a secret).
    public var secret: Bool
    /// Where the input is declared.
    public var location: SourceLocation

    /// An input spec.
    public init(name: String, kind: Kind, defaultValue: Value? = nil, required: Bool = false, description: String? = nil,
                values: [String] = [], secret: Bool = false, location: SourceLocation)
    {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.required = required
        self.description = description
        self.values = values
        self.secret = secret
        self.location = location
    }

    /// Converts text given on the command line (`--input k=v`) to this input's type.
    public func parse(_ text: String) -> Result<Value, InputError> {
        switch kind {
        case .string:
            return .success(.string(text))
        case .int:
            guard let i = Int(text.trimmingWhitespace()) else { return .failure(InputError(name, "expected an integer, got '\(text)'")) }
            return .success(.int(i))
        case .number:
            guard let d = Double(text.trimmingWhitespace()), d.isFinite else { return .failure(InputError(name, "expected a number, got '\(text)'")) }
            return .success(.double(d))
        case .bool:
            switch text.lowercased() {
            case "true", "yes", "1", "on": return .success(.bool(true))
            case "false", "no", "0", "off": return .success(.bool(false))
            default: return .failure(InputError(name, "expected true or false, got '\(text)'"))
            }
        case .uuid:
            guard let u = UUID(uuidString: text.trimmingWhitespace()) else { return .failure(InputError(name, "expected a UUID, got '\(text)'")) }
            return .success(.string(u.uuidString.lowercased()))
        case .duration:
            guard let d = DurationText.parse(text) else { return .failure(InputError(name, "expected a duration such as 30s, 5m or 2h, got '\(text)'")) }
            return .success(.int(Int(d.milliseconds / 1000)))
        case .enum:
            guard values.contains(text) else {
                return .failure(InputError(name, "expected one of \(values.joined(separator: ", ")), got '\(text)'\(Suggest.didYouMean(text, in: values))"))
            }
            return .success(.string(text))
        }
    }

    /// Whether a YAML default of this value fits the type.
    public func accepts(_ value: Value) -> Bool {
        switch (kind, value) {
        case (.string, .string), (.int, .int), (.number, .int), (.number, .double), (.bool, .bool): return true
        case (.uuid, .string(let s)): return UUID(uuidString: s) != nil
        case (.duration, .string(let s)): return DurationText.parse(s) != nil
        case (.duration, .int): return true
        case (.enum, .string(let s)): return values.contains(s)
        default: return false
        }
    }
}
