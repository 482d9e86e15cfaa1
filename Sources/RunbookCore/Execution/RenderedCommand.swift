import Foundation

/// A step's command with every template and parameter resolved: exactly what a driver
/// performs, and what plans, dry runs and the audit log show (through the redactor).
public enum RenderedCommand: Sendable {
    /// A process to start (argv, no shell in between).
    case shell(ShellCommand)
    /// A statement with its bind values.
    case sql(SQLCommand)
    /// A request to send.
    case http(HTTPCommand)
    /// A message rendered from a template.
    case notify(NotifyCommand)

    /// A process to start: argv, its folder, extra environment, standard input.
    public struct ShellCommand: Sendable, Hashable {
        /// The program and its arguments, one element each (a value never splits or joins
        /// arguments). A program with a `/` is taken relative to ``workingDirectory``, else found in
        /// `PATH`.
        public var argv: [String]
        /// Absolute path the process runs in: the project folder unless `cwd:` says otherwise.
        public var workingDirectory: String
        /// Variables set for the process on top of the inherited environment (`env:`).
        public var environment: [String: String]
        /// Text for standard input; nil gives it an empty input.
        public var stdin: String?
        /// Read the exit code as a Nagios status (0 green, 1 yellow, 2 red, anything else error).
        public var nagios: Bool

        /// A command; `argv` must not be empty (the driver refuses it).
        public init(argv: [String], workingDirectory: String, environment: [String: String] = [:], stdin: String? = nil, nagios: Bool = false) {
            self.argv = argv
            self.workingDirectory = workingDirectory
            self.environment = environment
            self.stdin = stdin
            self.nagios = nagios
        }
    }

    /// One statement with `$n` placeholders and their values, sent as bind parameters, never
    /// spliced into the text.
    public struct SQLCommand: Sendable, Hashable {
        /// The SQL as written, with `:name` placeholders.
        public var source: String
        /// The SQL sent to the server, with `$1`, `$2`... placeholders.
        public var text: String
        /// Bind values in `$n` order, with their names.
        public var binds: [(name: String, value: Value)]
        /// Run in a `READ ONLY` transaction: true for checks.
        public var readOnly: Bool
        /// The most rows kept in `result.rows` (`max-rows:`, default 1000); beyond it the result
        /// says it was truncated.
        public var maxRows: Int
        /// The database it runs against (`database:`; the ETL database unless it says `ledger`).
        public var database: SQLDatabase

        /// A statement; `binds` must be in `$n` order.
        public init(source: String, text: String, binds: [(name: String, value: Value)], readOnly: Bool, maxRows: Int = 1000,
                    database: SQLDatabase = .etl)
        {
            self.source = source
            self.text = text
            self.binds = binds
            self.readOnly = readOnly
            self.maxRows = maxRows
            self.database = database
        }

        /// Equal when text, bind names and values, `readOnly` and the database are; ``source`` and
        /// ``maxRows`` are not compared.
        public static func == (a: SQLCommand, b: SQLCommand) -> Bool {
            a.text == b.text && a.binds.map(\.name) == b.binds.map(\.name) && a.binds.map(\.value) == b.binds.map(\.value) && a.readOnly == b.readOnly
                && a.database == b.database
        }
        /// Hashes the text only (consistent with `==`).
        public func hash(into h: inout Hasher) { h.combine(text) }
    }

    /// A request to send.
    public struct HTTPCommand: Sendable, Hashable {
        /// Upper-case method; a check may only use GET or HEAD (the driver refuses others).
        public var method: String
        /// The full URL: interpolated values percent-encoded (except `env.` values), `query:`
        /// appended.
        public var url: String
        /// Headers as rendered; a `json:` body adds `Content-Type: application/json` unless set.
        public var headers: [String: String]
        /// The body (the rendered `json:`); nil for none.
        public var body: String?
        /// Send `Authorization: Bearer <env.api.token>`.
        public var bearer: Bool
        /// Statuses that count as success (`expect.status`); empty means any 2xx.
        public var expectStatus: [Int]
        /// `follow-redirects`: follow 301/302/303/307/308 up to the driver's limit; the token is
        /// never sent to another origin.
        public var followRedirects: Bool

        /// A request; `url` must be absolute http(s).
        public init(method: String, url: String, headers: [String: String] = [:], body: String? = nil, bearer: Bool = false,
                    expectStatus: [Int] = [], followRedirects: Bool = false)
        {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.bearer = bearer
            self.expectStatus = expectStatus
            self.followRedirects = followRedirects
        }
    }

    /// A rendered notification and where it goes.
    public struct NotifyCommand: Sendable, Hashable {
        /// The template's name under `templates/`.
        public var template: String
        /// The rendered message, not redacted (the driver redacts it before it sends or writes).
        public var message: String
        /// The channels it goes to, resolved from the environment, in the step's order.
        public var channels: [NotifyChannel]
        /// Where it comes from (runbook, run, environment, step), for payloads and headers.
        public var origin: NotifyOrigin

        /// A notification.
        public init(template: String, message: String, channels: [NotifyChannel], origin: NotifyOrigin = NotifyOrigin()) {
            self.template = template
            self.message = message
            self.channels = channels
            self.origin = origin
        }

        /// The message's first non-empty line, without Markdown heading marks, at most 150
        /// characters: a Slack header, a Teams card's title, an email's subject.
        public var title: String {
            let first = message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty } ?? template
            var title = first.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            if title.isEmpty { title = template }
            return title.count > 150 ? String(title.prefix(149)) + "…" : title
        }

        /// `incident (slack), log (file .sandbox/logs/operational.log)`: never a URL.
        public var channelsDisplay: String {
            channels.map { c in c.kind == .file ? "\(c.name) (file \(c.path ?? ""))" : c.display }.joined(separator: ", ")
        }
    }

    /// One line a human reads: `grep -c -E 'ERROR|FATAL' .sandbox/logs/etl-service.log`,
    /// `POST http://127.0.0.1:18080/files/reprocess?error=connection`, `SQL ... [window_hours=4]`.
    public var display: String {
        switch self {
        case .shell(let s):
            return s.argv.map(ShellQuote.quote).joined(separator: " ")
        case .sql(let q):
            let sql = q.source.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
            let binds = q.binds.isEmpty ? "" : " [" + q.binds.map { "\($0.name)=\(JSON.encode($0.value))" }.joined(separator: ", ") + "]"
            return (q.database == .etl ? "SQL " : "SQL on the \(q.database.rawValue): ") + sql + binds
        case .http(let h):
            var line = "\(h.method) \(h.url)"
            if let body = h.body { line += " \(body)" }
            return line
        case .notify(let n):
            return "notify \(n.template) → \(n.channelsDisplay)"
        }
    }

    /// The verb for dry-run output: "would run", "would POST"...
    public var wouldDo: String {
        switch self {
        case .shell: "would run \(display)"
        case .sql(let q): "would execute \(q.readOnly ? "read-only " : "")\(display)"
        case .http(let h): "would \(h.method) \(h.url)" + (h.body.map { " \($0)" } ?? "")
        case .notify(let n): "would post \(n.template) to \(n.channelsDisplay)"
        }
    }

    /// A structured form for the audit log and JSON reports.
    public var auditValue: Value {
        switch self {
        case .shell(let s):
            var o: [(String, Value)] = [("driver", "shell"), ("argv", .list(s.argv.map(Value.string))), ("cwd", .string(s.workingDirectory))]
            if !s.environment.isEmpty { o.append(("env", .object(ValueObject(s.environment.mapValues(Value.string))))) }
            return .object(o)
        case .sql(let q):
            var o: [(String, Value)] = [("driver", "sql"), ("sql", .string(q.source)), ("read_only", .bool(q.readOnly)),
                                        ("params", .object(ValueObject(q.binds.map { ($0.name, $0.value) })))]
            if q.database != .etl { o.append(("database", .string(q.database.rawValue))) }
            return .object(o)
        case .http(let h):
            var o: [(String, Value)] = [("driver", "http"), ("method", .string(h.method)), ("url", .string(h.url))]
            if let b = h.body { o.append(("body", .string(b))) }
            if h.bearer { o.append(("auth", "bearer ***")) }
            return .object(o)
        case .notify(let n):
            return .object([("driver", "notify"), ("template", .string(n.template)),
                            ("channels", .list(n.channels.map { .object([("name", .string($0.name)), ("type", .string($0.kind.rawValue))]) }))])
        }
    }
}
