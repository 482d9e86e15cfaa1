public import Foundation
import Yams

/// Where things are for one environment (`environments/<name>.yaml`): database URL, API URL and
/// token, log folder, named service commands. Values may use `${VAR}` and `${VAR:-default}` from
/// the process environment; the values of variables listed in `secrets` are redacted everywhere.
public struct Environment: Sendable {
    /// The environment's name: `--env NAME`, the file `environments/<name>.yaml`, `run.environment`.
    public var name: String
    /// The file it was loaded from, as diagnostics show it; nil for an environment built in
    /// code (``empty(name:)``).
    public var path: String?
    /// Everything in the file but `environment` and `secrets`, expanded: what `env.` reads.
    public var values: Value
    /// Secret strings to redact: the values of the variables named in `secrets`, and any
    /// password of 4 characters or more found in a URL of the file.
    public var secrets: [String]
    /// Variables referenced without a default and unset (or empty), by the key that used
    /// them: `["database.url": "ETL_DATABASE_URL"]`, so an error can say what to set.
    public var unsetVariables: [String: String]
    /// `approvals:`: the four-eyes policy; nil when the file has none (gates work as without).
    public var approvalPolicy: ApprovalPolicy?
    /// SHA-256 (hex) of the file's bytes, as an approval's plan digest covers it; nil for an
    /// environment built in code.
    public var sha256: String?

    /// An environment from its parts (tests, ``empty(name:)``); ``load(name:home:processEnvironment:)``
    /// reads one from its file.
    public init(name: String, values: Value = .object(ValueObject()), secrets: [String] = [], path: String? = nil) {
        self.name = name
        self.values = values
        self.secrets = secrets
        self.path = path
        self.unsetVariables = [:]
        self.approvalPolicy = nil
        self.sha256 = nil
    }

    /// An environment with nothing in it, for runbooks that read no `env.` value.
    public static func empty(name: String) -> Environment { Environment(name: name) }

    /// `env.commands.<name>` as argv.
    public func command(_ name: String) -> [String]? {
        guard case .list(let items) = values["commands"]?[name] ?? .null else { return nil }
        return items.map(\.interpolated)
    }

    /// `database.url`; nil when missing or empty (an unset variable expands to empty). It may hold
    /// a password: show it only through the redactor.
    public var databaseURL: String? { values["database"]?["url"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
    /// `api.url`; nil when missing (unlike the others, an empty string is returned as is).
    public var apiURL: String? { values["api"]?["url"]?.stringValue }
    /// `api.token`, sent by `auth: bearer` steps; nil when missing or empty. A secret when its
    /// variable is listed in `secrets`.
    public var apiToken: String? { values["api"]?["token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }

    /// The URL of `database`: ``databaseURL`` or ``ledgerURL``.
    public func url(of database: SQLDatabase) -> String? { database == .etl ? databaseURL : ledgerURL }

    /// `ledger.url`: the team's ledger (a PostgreSQL URL, a secret); nil when missing or empty.
    public var ledgerURL: String? { values["ledger"]?["url"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }

    /// Loads `environments/<name>.yaml` under `home`, expanding variables from `processEnvironment`.
    public static func load(name: String, home: URL, processEnvironment: [String: String]) throws(DiagnosticsError) -> Environment {
        let directory = home.appendingPathComponent("environments")
        let found: URL?
        do { found = try ContainedPath.file(named: name, in: directory, extensions: ["yaml", "yml"]) } catch {
            throw DiagnosticsError([Diagnostic(SourceLocation(path: "environments/", line: 1, column: 1), "environment \(error)")])
        }
        guard let url = found else {
            let known = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
                .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }
            throw DiagnosticsError([Diagnostic(SourceLocation(path: "environments/\(name).yaml", line: 1, column: 1),
                                               "no environment '\(name)'\(Suggest.didYouMean(name, in: known))" + (known.isEmpty ? "" : " (environments: \(known.sorted().joined(separator: ", ")))"))])
        }
        let path = "environments/\(url.lastPathComponent)"
        let text: String
        switch SourceFile.read(url, path: path) {
        case .success(let file): text = file.text
        case .failure(let diagnostic): throw DiagnosticsError([diagnostic])
        }
        let fileSHA256 = Hex.sha256(Array(text.utf8))
        let doc = YAMLDocument(path: path, text: text)
        guard let root = doc.root, let mapping = root.mapping else {
            if doc.diagnostics.isEmpty { doc.error(doc.root, "an environment file must be a mapping") }
            throw DiagnosticsError(doc.diagnostics)
        }
        var env = Environment(name: name, path: doc.path)
        env.sha256 = fileSHA256
        if let a = mapping["approvals"] {
            env.approvalPolicy = ApprovalPolicy.parse(doc, a)
            if mapping["identity"] == nil {
                doc.error(a, "'approvals' needs 'identity' (identity: {allowed_signers: PATH}): approvers and requesters are named by their SSH keys")
            }
        }
        var secretVariables: [String] = []
        if let s = mapping["secrets"] { secretVariables = doc.stringList(s, key: "secrets") ?? [] }
        if let n = mapping["environment"], let declared = doc.string(n, key: "environment"), declared != name {
            doc.error(n, "environment name '\(declared)' differs from the file name '\(name)'")
        }
        if let commands = mapping["commands"] {
            if let cm = commands.mapping {
                for (k, v) in cm where v.sequence == nil {
                    doc.error(v, "command '\(k.scalar?.string ?? "?")' must be a list of arguments (argv), not a command line")
                }
            } else {
                doc.error(commands, "'commands' must be a mapping of name to argv list")
            }
        }
        var expander = VariableExpander(environment: processEnvironment)
        var object = ValueObject()
        for (k, v) in mapping {
            guard let key = k.scalar?.string, key != "secrets", key != "environment" else { continue }
            object[key] = expander.expand(doc.value(v), path: key)
        }
        env.values = .object(object)
        env.unsetVariables = expander.unset
        if let notify = mapping["notify"] { validateNotify(doc, notify, expanded: object["notify"]) }
        if let alertmanager = mapping["alertmanager"] { validateAlertmanager(doc, alertmanager, expanded: object["alertmanager"]) }
        // Channel URLs, webhook secrets and SMTP passwords are secrets wherever they come from.
        for channel in env.notifyChannels.values {
            for secret in channel.secrets where !env.secrets.contains(secret) { env.secrets.append(secret) }
        }
        for variable in secretVariables {
            if let value = processEnvironment[variable], !value.isEmpty { env.secrets.append(value) }
        }
        for (variable, value) in expander.used where secretVariables.contains(variable) && !value.isEmpty {
            if !env.secrets.contains(value) { env.secrets.append(value) }
        }
        // A password inside any URL is a secret even when typed in the file.
        for url in object.pairs.flatMap({ Environment.strings(in: $0.value) }) {
            if let password = URLComponents(string: url)?.password?.removingPercentEncoding, password.count >= 4, !env.secrets.contains(password) {
                env.secrets.append(password)
            }
        }
        if doc.diagnostics.contains(where: { $0.severity == .error }) { throw DiagnosticsError(doc.diagnostics) }
        return env
    }

    static func strings(in value: Value) -> [String] {
        switch value {
        case .string(let s): [s]
        case .list(let l): l.flatMap(strings)
        case .object(let o): o.pairs.flatMap { strings(in: $0.value) }
        default: []
        }
    }
}
