/// What a step runs, before templating. Each case is rendered to a `RenderedCommand`
/// by `CommandRenderer` and performed by the matching `StepDriver`.
public enum DriverSpec: Sendable {
    case shell(ShellSpec)
    case sql(SQLSpec)
    case http(HTTPSpec)
    case notify(NotifySpec)

    /// `shell`, `sql`, `http`, `notify`: the driver registry key.
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
    public var argv: [Located<Template>]
    /// `command: service_restart`: argv from the environment's `commands`.
    public var namedCommand: Located<String>?
    /// Extra arguments appended to a named command.
    public var args: [Located<Template>]
    public var workingDirectory: Located<Template>?
    public var environment: [(String, Located<Template>)]
    /// Nagios plugin convention: 0 ok, 1 warning, 2 critical, 3 unknown.
    public var nagios: Bool
    /// Standard input given to the process.
    public var stdin: Located<Template>?

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
    public var sql: Located<String>
    public var params: [(String, Located<Expression>)]
    public var maxRows: Int
    public init(sql: Located<String>, params: [(String, Located<Expression>)] = [], maxRows: Int = 1000) {
        self.sql = sql
        self.params = params
        self.maxRows = maxRows
    }
}

/// `http: {method, url, headers, query, json, auth, expect, follow_redirects}`.
public struct HTTPSpec: Sendable {
    public var method: Located<String>
    public var url: Located<Template>
    public var headers: [(String, Located<Template>)]
    public var query: [(String, Located<Template>)]
    /// A JSON body: a YAML value whose strings may interpolate.
    public var json: Located<TemplateValue>?
    public var auth: Located<String>?
    public var expectStatus: [Int]
    public var followRedirects: Bool

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
    public var template: Located<String>
    /// `channel: log` (append to the environment's operational log) or `stdout`.
    public var channel: String
    public init(template: Located<String>, channel: String = "log") {
        self.template = template
        self.channel = channel
    }
}

/// A YAML value whose string leaves are templates (for JSON bodies).
public indirect enum TemplateValue: Sendable {
    case scalar(Value)
    case template(Template)
    case list([TemplateValue])
    case object([(String, TemplateValue)])

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
