import RunbookCore
import Synchronization

/// The plans of approval requests as last parsed, by request id: a plan whose stored text is
/// the same as at the last read is not parsed again. The console keeps one, since its approvals
/// page reads every open request's plan at each view and parsing 100 plans' JSON was most of
/// what was left of the page's time. Only the requests last read are kept.
public final class ParsedPlans: Sendable {
    private let parsed = Mutex<[String: (text: String, plan: Value)]>([:])

    /// An empty memory.
    public init() {}

    /// The plan of request `id` stored as `text`: the one kept for the same text, else parsed.
    func plan(of id: String, text: String) -> Value {
        if let kept = parsed.withLock({ $0[id] }), kept.text == text { return kept.plan }
        let plan = Ledger.parsePlan(text)
        parsed.withLock { $0[id] = (text, plan) }
        return plan
    }

    /// Forgets every request but `ids` (the ones just read).
    public func keep(only ids: Set<String>) {
        parsed.withLock { kept in kept = kept.filter { ids.contains($0.key) } }
    }
}
