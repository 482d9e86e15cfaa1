import Foundation
import Yams

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
