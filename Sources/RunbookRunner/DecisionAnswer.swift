public import RunbookLedger

/// What the runner hands back to a console after `approve` or `deny` (one
/// ``RunnerEvent/value(_:)``): the outcome, or the kind of refusal, so the console answers
/// with the same status and words as when it decided itself.
public enum DecisionAnswer: Sendable {
    case done(ApprovalDesk.Outcome)
    case refused(ApprovalDesk.Refusal.Kind)

    /// `approved`, `pending HAVE NEED`, `denied`, `recorded`, or `refused KIND`.
    public var value: String {
        switch self {
        case .done(.approved): "approved"
        case .done(.pending(let have, let need)): "pending \(have) \(need)"
        case .done(.denied): "denied"
        case .done(.recorded): "recorded"
        case .refused(.unknown): "refused unknown"
        case .refused(.forbidden): "refused forbidden"
        case .refused(.conflict): "refused conflict"
        case .refused(.signing): "refused signing"
        }
    }

    /// Decodes ``value``; nil for anything else. An approval decoded carries no decisions.
    public init?(value: String) {
        let words = value.split(separator: " ").map(String.init)
        switch words.first {
        case "approved": self = .done(.approved([]))
        case "denied": self = .done(.denied)
        case "recorded": self = .done(.recorded)
        case "pending":
            guard words.count == 3, let have = Int(words[1]), let need = Int(words[2]) else { return nil }
            self = .done(.pending(have: have, need: need))
        case "refused":
            switch words.dropFirst().first {
            case "unknown": self = .refused(.unknown)
            case "forbidden": self = .refused(.forbidden)
            case "conflict": self = .refused(.conflict)
            case "signing": self = .refused(.signing)
            default: return nil
            }
        default: return nil
        }
    }
}
