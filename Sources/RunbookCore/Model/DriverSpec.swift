/// What a step runs, before templating. Each case is rendered to a `RenderedCommand`
/// by `CommandRenderer` and performed by the matching `StepDriver`.
public enum DriverSpec: Sendable {
    /// `shell:` argv or `command:` (a named environment command).
    case shell(ShellSpec)
    /// `sql:` with `params:`.
    case sql(SQLSpec)
    /// `http:`.
    case http(HTTPSpec)
    /// `template:` of a notify step.
    case notify(NotifySpec)

    /// `shell`, `sql`, `http` or `notify`: the driver's name, as `runbook show` prints it
    /// (the same word as ``kind``'s raw value; the registry is keyed by ``DriverKind``).
    public var name: String {
        switch self {
        case .shell: "shell"
        case .sql: "sql"
        case .http: "http"
        case .notify: "notify"
        }
    }
}

/// A YAML value whose string leaves are templates (for JSON bodies).
public indirect enum TemplateValue: Sendable {
    /// A number, bool, null or string without `${{ }}`, as it is.
    case scalar(Value)
    /// A string with `${{ }}`: exactly one expression keeps its value's type.
    case template(Template)
    /// A YAML sequence.
    case list([TemplateValue])
    /// A YAML mapping, keys in file order.
    case object([(String, TemplateValue)])

    /// The value with every template evaluated in `scope`; throws the first expression's error.
    public func render(in scope: ExpressionScope) throws(ExpressionError) -> Value {
        switch self {
        case .scalar(let v): return v
        case .template(let t): return try t.evaluateValue(in: scope)
        case .list(let items):
            var out: [Value] = []
            for i in items { out.append(try i.render(in: scope)) }
            return .list(out)
        case .object(let pairs):
            var o = ValueObject()
            for (k, v) in pairs { o[k] = try v.render(in: scope) }
            return .object(o)
        }
    }

    var templates: [Template] {
        switch self {
        case .scalar: []
        case .template(let t): [t]
        case .list(let items): items.flatMap(\.templates)
        case .object(let pairs): pairs.flatMap { $0.1.templates }
        }
    }
}
