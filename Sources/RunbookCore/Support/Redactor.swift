import Foundation

/// Replaces every known secret with `***` in anything shown or recorded.
public struct Redactor: Sendable {
    /// What a secret is replaced with.
    public static let mask = "***"
    private var secrets: [String]

    /// A redactor for `secrets`. Empty strings are ignored; longer secrets are replaced first, so
    /// a secret that contains another is masked whole.
    public init(secrets: [String] = []) {
        self.secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
    }

    /// Adds a secret (the value of an input marked `secret`, say); empty or known ones are
    /// ignored.
    public mutating func add(_ secret: String) {
        guard !secret.isEmpty, !secrets.contains(secret) else { return }
        secrets.append(secret)
        secrets.sort { $0.count > $1.count }
    }

    /// Whether there is no secret to redact (`redact(_:)` then returns its input unchanged).
    public var isEmpty: Bool { secrets.isEmpty }

    /// `text` with every occurrence of every secret replaced by ``mask``. Exact substrings only: a
    /// secret percent-encoded, base64-encoded or split across lines is not caught.
    public func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: Redactor.mask)
        }
        return out
    }

    /// `value` with every string inside it redacted, at any depth. Object keys are not redacted,
    /// nor numbers (a numeric secret in an `.int` stays visible).
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

