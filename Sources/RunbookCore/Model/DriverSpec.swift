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

/// `shell: [argv...]` or `command: <env.commands name>`; never a shell string.
public struct ShellSpec: Sendable {
    /// `shell: [...]`: each element one argument, templates rendered to exactly one argv element
    /// each. Empty for `command:`.
    public var argv: [Located<Template>]
    /// `command: service_restart`: argv from the environment's `commands`.
    public var namedCommand: Located<String>?
    /// Extra arguments appended to a named command.
    public var args: [Located<Template>]
    /// `cwd:`, relative to the project folder unless absolute; nil: the project folder.
    public var workingDirectory: Located<Template>?
    /// `env:`, variables added to the inherited environment, in file order.
    public var environment: [(String, Located<Template>)]
    /// Nagios plugin convention: 0 ok, 1 warning, 2 critical, 3 unknown.
    public var nagios: Bool
    /// Standard input given to the process.
    public var stdin: Located<Template>?

    /// A shell step's spec; give `argv` or `namedCommand`.
    public init(argv: [Located<Template>] = [], namedCommand: Located<String>? = nil, args: [Located<Template>] = [],
                workingDirectory: Located<Template>? = nil, environment: [(String, Located<Template>)] = [], nagios: Bool = false,
                stdin: Located<Template>? = nil)
    {
        self.argv = argv
        self.namedCommand = namedCommand
        self.args = args
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.nagios = nagios
        self.stdin = stdin
    }
}

/// `sql:` text with `:name` placeholders bound from `params:`.
public struct SQLSpec: Sendable {
    /// The statement as written; values never spliced in (the loader refuses `${{ }}` here).
    public var sql: Located<String>
    /// `params:`: each `:name` of the SQL bound to an expression's value, in file order.
    public var params: [(String, Located<Expression>)]
    /// `max-rows:` (default 1000): the most rows kept in `result.rows`.
    public var maxRows: Int
    /// An SQL step's spec.
    public init(sql: Located<String>, params: [(String, Located<Expression>)] = [], maxRows: Int = 1000) {
        self.sql = sql
        self.params = params
        self.maxRows = maxRows
    }
}

/// `http: {method, url, headers, query, json, auth, expect, follow-redirects}`.
public struct HTTPSpec: Sendable {
    /// Upper-case method: GET, HEAD, POST, PUT, PATCH or DELETE (a check only GET or HEAD).
    public var method: Located<String>
    /// The URL template; interpolated values are percent-encoded, except `env.` values (base
    /// URLs), which pass as written.
    public var url: Located<Template>
    /// `headers:`, name to template.
    public var headers: [(String, Located<Template>)]
    /// `query:`, name to template; appended to the URL, percent-encoded.
    public var query: [(String, Located<Template>)]
    /// A JSON body: a YAML value whose strings may interpolate.
    public var json: Located<TemplateValue>?
    /// `auth: bearer`: send `env.api.token`; nil: no Authorization header.
    public var auth: Located<String>?
    /// `expect.status`: statuses that count as success; empty means any 2xx.
    public var expectStatus: [Int]
    /// `follow-redirects:` (default false).
    public var followRedirects: Bool

    /// An HTTP step's spec.
    public init(method: Located<String>, url: Located<Template>, headers: [(String, Located<Template>)] = [],
                query: [(String, Located<Template>)] = [], json: Located<TemplateValue>? = nil, auth: Located<String>? = nil,
                expectStatus: [Int] = [], followRedirects: Bool = false)
    {
        self.method = method
        self.url = url
        self.headers = headers
        self.query = query
        self.json = json
        self.auth = auth
        self.expectStatus = expectStatus
        self.followRedirects = followRedirects
    }
}

/// `template: incident-update` (from `templates/`), rendered with the run's context.
public struct NotifySpec: Sendable {
    /// The template's name, read from `templates/<name>.md`, `.txt` or `<name>`.
    public var template: Located<String>
    /// `channel: log` (append to the environment's operational log) or `stdout`.
    public var channel: String
    /// A notify step's spec; `channel` defaults to `log`.
    public init(template: Located<String>, channel: String = "log") {
        self.template = template
        self.channel = channel
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
