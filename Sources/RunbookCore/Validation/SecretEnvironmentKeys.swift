public import Foundation

/// The `env.` paths that may hold a secret, known before any environment is chosen, so that
/// `runbook lint` can refuse a runbook that would put one where it shows: `api.token` always,
/// and every key whose value, in any `environments/*.yaml`, takes a variable that file lists
/// in `secrets:` or is a URL with a password typed in. A runbook is linted once for every
/// environment it may run in, so one file marking a key secret makes it secret everywhere.
public struct SecretEnvironmentKeys: Sendable {
    /// Each secret path (without the leading `env`), and why it is secret, for messages.
    public private(set) var reasons: [[String]: String]

    /// Paths that are secret whatever the environment files say: the API's bearer token.
    public static let always: [[String]: String] = [["api", "token"]: "the API's bearer token"]

    /// `always`, plus `reasons` (path to why it is secret).
    public init(reasons: [[String]: String] = [:]) {
        self.reasons = Self.always.merging(reasons) { first, _ in first }
    }

    /// Reads every `*.yaml` and `*.yml` of `directory` (a missing folder gives just `always`);
    /// files that cannot be read or parsed add nothing (loading the environment reports them).
    public static func scan(environmentsDirectory directory: URL) -> SecretEnvironmentKeys {
        var keys = SecretEnvironmentKeys()
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
        for name in names where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let url = directory.appendingPathComponent(name)
            guard case .success(let file) = SourceFile.read(url, path: "environments/\(name)") else { continue }
            keys.add(environmentFile: file.text, path: "environments/\(name)")
        }
        return keys
    }

    /// Adds the secret paths of one environment file's text.
    public mutating func add(environmentFile text: String, path: String) {
        let doc = YAMLDocument(path: path, text: text)
        guard let root = doc.root, case .object(let object) = doc.value(root) else { return }
        let variables = Set(Environment.strings(in: object["secrets"] ?? .null))
        for (key, value) in object.pairs where key != "secrets" && key != "environment" {
            walk(value, path: [key]) { text in
                if let v = Self.variables(in: text).first(where: variables.contains) { return "\(v) in \(path)" }
                if let password = URLComponents(string: text)?.password, !password.isEmpty { return "a password in a URL in \(path)" }
                return nil
            }
        }
    }

    private mutating func walk(_ value: Value, path: [String], secret: (String) -> String?) {
        switch value {
        case .string(let s):
            if let reason = secret(s), reasons[path] == nil { reasons[path] = reason }
        case .list(let items):
            for (i, item) in items.enumerated() { walk(item, path: path + [String(i)], secret: secret) }
        case .object(let o):
            for (k, v) in o.pairs { walk(v, path: path + [k], secret: secret) }
        default:
            break
        }
    }

    /// The secret a read of `env.<path>` reaches: the path itself, a part of it, or an object
    /// or list holding a secret (`env.api` holds `env.api.token`). Nil when it reaches none.
    public func secret(reachedBy path: [String]) -> (path: [String], reason: String)? {
        var best: (path: [String], reason: String)?
        for (secretPath, reason) in reasons {
            let n = min(secretPath.count, path.count)
            guard Array(secretPath.prefix(n)) == Array(path.prefix(n)) else { continue }
            if best == nil || secretPath.lexicographicallyPrecedes(best!.path, by: <) { best = (secretPath, reason) }
        }
        return best
    }

    /// The names of `${NAME}` and `${NAME:-default}` in a value of an environment file.
    static func variables(in text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            rest = rest[start.upperBound...]
            if rest.hasPrefix("{") { continue }  // `${{ ... }}` is a runbook template
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if !name.isEmpty { out.append(String(name)) }
        }
        return out
    }
}
