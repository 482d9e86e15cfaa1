/// Writes a ``FormatSchema`` table as JSON Schema (draft 2020-12), the form editors' YAML
/// language servers read.
public enum JSONSchemaWriter {
    /// The formats `runbook schema` prints.
    public enum Format: String, Sendable, CaseIterable {
        case runbook, check, environment, test

        /// The file name under schema/.
        public var fileName: String { "\(rawValue).schema.json" }
    }

    /// The schema of `format` as a JSON document (pretty, keys in a stable order).
    public static func document(_ format: Format) -> String {
        JSON.encode(schema(format), pretty: true) + "\n"
    }

    /// The schema of `format`.
    public static func schema(_ format: Format) -> Value {
        let (root, title): (SchemaObject, String) = switch format {
        case .runbook: (FormatSchema.runbook, "runbook")
        case .check: (FormatSchema.checkFile, "reusable check")
        case .environment: (FormatSchema.environment, "environment")
        case .test: (FormatSchema.runbookTest, "runbook test cases")
        }
        var out: [(String, Value)] = [
            ("$schema", "https://json-schema.org/draft/2020-12/schema"),
            ("$id", .string("https://conecta-boi.example/runbook/schema/\(format.fileName)")),
            ("title", .string("Conecta Boi \(title)")),
        ]
        for (k, v) in object(root).pairs { out.append((k, v)) }
        let defs = format == .test ? FormatSchema.testDefinitions : FormatSchema.definitions
        if format == .runbook || format == .check || format == .test {
            out.append(("$defs", .object(ValueObject(defs.map { ($0.0, type($0.1)) }))))
        }
        return .object(ValueObject(out))
    }

    static func object(_ o: SchemaObject) -> ValueObject {
        var properties = ValueObject()
        for key in o.keys {
            guard case .object(var p) = type(key.type) else { continue }
            p["description"] = .string(key.description)
            if !key.examples.isEmpty { p["examples"] = .list(key.examples) }
            properties[key.name] = .object(p)
        }
        var out = ValueObject([("type", "object"), ("description", .string(o.description)), ("properties", .object(properties))])
        let required = o.keys.filter(\.required).map { Value.string($0.name) }
        if !required.isEmpty { out["required"] = .list(required) }
        if !o.additional { out["additionalProperties"] = false }
        return out
    }

    static func type(_ t: SchemaType) -> Value {
        switch t {
        case .string(let values):
            return values.isEmpty ? .object([("type", "string")]) : .object([("type", "string"), ("enum", .list(values.map(Value.string)))])
        case .integer(let range):
            var o = ValueObject([("type", "integer")])
            if let range {
                o["minimum"] = .int(range.lowerBound)
                if range.upperBound != Int.max { o["maximum"] = .int(range.upperBound) }
            }
            return .object(o)
        case .number: return .object([("type", "number")])
        case .boolean: return .object([("type", "boolean")])
        case .duration:
            return .object([("anyOf", .list([.object([("type", "string"), ("pattern", "^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$")]),
                                              .object([("type", "integer"), ("minimum", 0)])]))])
        case .expression:
            // A plain YAML scalar: `true`, `10` and `a > 1` are all expressions.
            return .object([("type", .list(["string", "number", "boolean"]))])
        case .template:
            return .object([("type", .list(["string", "number", "boolean"]))])
        case .stringOrList:
            return .object([("anyOf", .list([.object([("type", "string")]), .object([("type", "array"), ("items", .object([("type", "string")]))])]))])
        case .list(let item, let minItems):
            var o = ValueObject([("type", "array"), ("items", type(item))])
            if minItems > 0 { o["minItems"] = .int(minItems) }
            return .object(o)
        case .object(let o):
            return .object(object(o))
        case .map(let value):
            return .object([("type", "object"), ("additionalProperties", type(value))])
        case .any:
            return .object(ValueObject())
        case .anyOf(let types):
            return .object([("anyOf", .list(types.map(type)))])
        case .tagged(let objects):
            let tags = objects.compactMap { $0.keys.first?.name }
            let branches: [Value] = zip(tags, objects).map { tag, o in
                .object([("if", .object([("required", .list([.string(tag)]))])), ("then", .object(object(o)))])
            }
            return .object([("type", "object"), ("oneOf", .list(tags.map { .object([("required", .list([.string($0)]))]) })),
                            ("allOf", .list(branches))])
        case .ref(let name):
            return .object([("$ref", .string("#/$defs/\(name)"))])
        }
    }
}
