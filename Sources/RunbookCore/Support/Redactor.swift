import Foundation

/// Replaces every known secret with `***` in anything shown or recorded.
public struct Redactor: Sendable {
    public static let mask = "***"
    private var secrets: [String]

    public init(secrets: [String] = []) {
        self.secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
    }

    public mutating func add(_ secret: String) {
        guard !secret.isEmpty, !secrets.contains(secret) else { return }
        secrets.append(secret)
        secrets.sort { $0.count > $1.count }
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: Redactor.mask)
        }
        return out
    }

    public func redact(_ value: Value) -> Value {
        guard !secrets.isEmpty else { return value }
        switch value {
        case .string(let s): return .string(redact(s))
        case .list(let items): return .list(items.map(redact))
        case .object(let o):
            var out = ValueObject()
            for (k, v) in o.pairs { out[k] = redact(v) }
            return .object(out)
        default: return value
        }
    }
}

