import Foundation
import Yams

/// Where things are for one environment (`environments/<name>.yaml`): database URL, API URL and
/// token, log folder, named service commands. Values may use `${VAR}` and `${VAR:-default}` from
/// the process environment; the values of variables listed in `secrets` are redacted everywhere.
public struct Environment: Sendable {
    public var name: String
    public var path: String?
    /// Everything in the file but `environment` and `secrets`, expanded: what `env.` reads.
    public var values: Value
    /// Secret strings to redact (values of secret variables, passwords found in URLs).
    public var secrets: [String]
    /// Variables referenced without a default and unset, by the key that used them.
    public var unsetVariables: [String: String]

    public init(name: String, values: Value = .object(ValueObject()), secrets: [String] = [], path: String? = nil) {
        self.name = name
        self.values = values
        self.secrets = secrets
        self.path = path
        self.unsetVariables = [:]
    }

    /// An environment with nothing in it, for runbooks that read no `env.` value.
    public static func empty(name: String) -> Environment { Environment(name: name) }

    /// `env.commands.<name>` as argv.
    public func command(_ name: String) -> [String]? {
        guard case .list(let items) = values["commands"]?[name] ?? .null else { return nil }
        return items.map(\.interpolated)
    }

    public var databaseURL: String? { values["database"]?["url"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
    public var apiURL: String? { values["api"]?["url"]?.stringValue }
    public var apiToken: String? { values["api"]?["token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }

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
        let doc = YAMLDocument(path: path, text: text)
        guard let root = doc.root, let mapping = root.mapping else {
            if doc.diagnostics.isEmpty { doc.error(doc.root, "an environment file must be a mapping") }
            throw DiagnosticsError(doc.diagnostics)
        }
        var env = Environment(name: name, path: doc.path)
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

/// `${VAR}` and `${VAR:-default}` expansion, remembering what was used and what was unset.
struct VariableExpander {
    let environment: [String: String]
    var used: [String: String] = [:]
    var unset: [String: String] = [:]

    init(environment: [String: String]) { self.environment = environment }

    mutating func expand(_ value: Value, path: String) -> Value {
        switch value {
        case .string(let s): return .string(expand(s, path: path))
        case .list(let items): return .list(items.enumerated().map { expand($0.element, path: "\(path)[\($0.offset)]") })
        case .object(let o):
            var out = ValueObject()
            for (k, v) in o.pairs { out[k] = expand(v, path: "\(path).\(k)") }
            return .object(out)
        default: return value
        }
    }

    mutating func expand(_ text: String, path: String) -> String {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            if rest[start.upperBound...].hasPrefix("{") {
                // `${{ ... }}` is a runbook template, not a variable.
                out += "${"
                rest = rest[start.upperBound...]
                continue
            }
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                out += rest[start.lowerBound...]
                rest = ""
                break
            }
            let body = String(rest[start.upperBound..<end])
            let name: String
            var fallback: String?
            if let sep = body.range(of: ":-") {
                name = String(body[..<sep.lowerBound])
                fallback = String(body[sep.upperBound...])
            } else {
                name = body
            }
            if let v = environment[name], !v.isEmpty {
                used[name] = v
                out += v
            } else if let fallback {
                out += fallback
            } else {
                unset[path] = name
            }
            rest = rest[rest.index(after: end)...]
        }
        out += rest
        return out
    }
}
