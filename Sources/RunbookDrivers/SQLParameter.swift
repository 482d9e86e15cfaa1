import PostgresNIO
import RunbookCore

/// One bind parameter as PostgreSQL receives it: text, with a type the server may infer.
///
/// Scalars (string, int, double, bool) are sent as *untyped* text (type OID 0), exactly like
/// a quoted literal typed into psql: the server gives the parameter the type its context
/// needs, so `make_interval(hours => :h)` gets an int4, `id = :id` a bigint, `LIMIT :n` a
/// bigint, `updated_at > :since` a timestamptz, `status = :s` an enum, and the text is parsed
/// by that type's own input function (a bad value fails with SQLSTATE 22P02, never becomes
/// SQL). Where nothing fixes the type (`SELECT :x`), PostgreSQL takes it as text: cast in the
/// SQL (`:x::int`) when another type is wanted. Lists and objects are sent as `jsonb`; null
/// as NULL.
struct SQLParameter: PostgresDynamicTypeEncodable {
    /// Type OID 0: "unspecified", the server infers it.
    static let unspecified = PostgresDataType(0)

    var text: String
    var psqlType: PostgresDataType
    var psqlFormat: PostgresFormat { .text }

    init(text: String, psqlType: PostgresDataType) {
        self.text = text
        self.psqlType = psqlType
    }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(text)
    }

    /// The parameter for `value`, or nil for SQL NULL.
    init?(_ value: Value) {
        switch value {
        case .null: return nil
        case .bool(let b): self.init(text: b ? "true" : "false", psqlType: Self.unspecified)
        case .int(let i): self.init(text: String(i), psqlType: Self.unspecified)
        case .double(let d): self.init(text: d.isNaN ? "NaN" : d.isInfinite ? (d > 0 ? "Infinity" : "-Infinity") : "\(d)", psqlType: Self.unspecified)
        case .decimal(let d): self.init(text: d.description, psqlType: Self.unspecified)
        case .string(let s): self.init(text: s, psqlType: Self.unspecified)
        case .list, .object: self.init(text: JSON.encode(value), psqlType: .jsonb)
        }
    }

    /// Bindings for `$1...$n`, in order.
    static func bindings(_ values: [(name: String, value: Value)]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for (_, value) in values {
            if let parameter = SQLParameter(value) { bindings.append(parameter) } else { bindings.appendNull() }
        }
        return bindings
    }
}
