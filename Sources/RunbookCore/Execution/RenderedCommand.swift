import Foundation

/// A step's command with every template and parameter resolved: exactly what a driver
/// performs, and what plans, dry runs and the audit log show (through the redactor).
public enum RenderedCommand: Sendable {
    case shell(ShellCommand)
    case sql(SQLCommand)
    case http(HTTPCommand)
    case notify(NotifyCommand)

    public struct ShellCommand: Sendable, Hashable {
        public var argv: [String]
        public var workingDirectory: String
        public var environment: [String: String]
        public var stdin: String?
        public var nagios: Bool

        public init(argv: [String], workingDirectory: String, environment: [String: String] = [:], stdin: String? = nil, nagios: Bool = false) {
            self.argv = argv
            self.workingDirectory = workingDirectory
            self.environment = environment
            self.stdin = stdin
            self.nagios = nagios
        }
    }

    public struct SQLCommand: Sendable, Hashable {
        /// The SQL as written, with `:name` placeholders.
        public var source: String
        /// The SQL sent to the server, with `$1`, `$2`... placeholders.
        public var text: String
        /// Bind values in `$n` order, with their names.
        public var binds: [(name: String, value: Value)]
        public var readOnly: Bool
        public var maxRows: Int

        public init(source: String, text: String, binds: [(name: String, value: Value)], readOnly: Bool, maxRows: Int = 1000) {
            self.source = source
            self.text = text
            self.binds = binds
            self.readOnly = readOnly
            self.maxRows = maxRows
        }

        public static func == (a: SQLCommand, b: SQLCommand) -> Bool {
            a.text == b.text && a.binds.map(\.name) == b.binds.map(\.name) && a.binds.map(\.value) == b.binds.map(\.value) && a.readOnly == b.readOnly
        }
        public func hash(into h: inout Hasher) { h.combine(text) }
    }

    public struct HTTPCommand: Sendable, Hashable {
        public var method: String
        public var url: String
        public var headers: [String: String]
        public var body: String?
        /// Send `Authorization: Bearer <env.api.token>`.
        public var bearer: Bool
        public var expectStatus: [Int]
        public var followRedirects: Bool

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

    public struct NotifyCommand: Sendable, Hashable {
        public var template: String
        public var message: String
        public var channel: String
        /// Where a `log` channel appends, when the environment names one.
        public var logPath: String?

        public init(template: String, message: String, channel: String, logPath: String? = nil) {
            self.template = template
            self.message = message
            self.channel = channel
            self.logPath = logPath
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
            return "SQL \(sql)\(binds)"
        case .http(let h):
            var line = "\(h.method) \(h.url)"
            if let body = h.body { line += " \(body)" }
            return line
        case .notify(let n):
            return "notify \(n.template) → \(n.channel == "log" ? (n.logPath ?? "operational log") : "stdout")"
        }
    }

    /// The verb for dry-run output: "would run", "would POST"...
    public var wouldDo: String {
        switch self {
        case .shell: "would run \(display)"
        case .sql(let q): "would execute \(q.readOnly ? "read-only " : "")\(display)"
        case .http(let h): "would \(h.method) \(h.url)" + (h.body.map { " \($0)" } ?? "")
        case .notify(let n): "would send \(n.template) to \(n.channel == "log" ? (n.logPath ?? "the operational log") : "stdout")"
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
            return .object([("driver", "sql"), ("sql", .string(q.source)), ("read_only", .bool(q.readOnly)),
                            ("params", .object(ValueObject(q.binds.map { ($0.name, $0.value) })))])
        case .http(let h):
            var o: [(String, Value)] = [("driver", "http"), ("method", .string(h.method)), ("url", .string(h.url))]
            if let b = h.body { o.append(("body", .string(b))) }
            if h.bearer { o.append(("auth", "bearer ***")) }
            return .object(o)
        case .notify(let n):
            return .object([("driver", "notify"), ("template", .string(n.template)), ("channel", .string(n.channel))])
        }
    }
}

/// POSIX shell quoting, for showing argv as a line someone could paste.
public enum ShellQuote {
    public static func quote(_ arg: String) -> String {
        if arg.isEmpty { return "''" }
        let safe = arg.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./=:,+@%".unicodeScalars.contains($0) }
        if safe { return arg }
        return "'" + arg.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
