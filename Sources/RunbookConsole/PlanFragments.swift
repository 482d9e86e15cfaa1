import RunbookCore
import Synchronization

/// The plan part of each approvals card (the sentence, the command, the findings as tables),
/// rendered once per request and reused while the request's row is the same: reading 100 plans'
/// rows back as tables and rendering them at every view was most of the page's time. A card is
/// shown from its row alone, so an equal row gives an equal fragment; a row that differs in
/// anything (a plan edited in the ledger) is rendered again. Only the requests last shown are kept.
final class PlanFragments: Sendable {
    private let rendered = Mutex<[String: (request: ApprovalRequest, html: String)]>([:])

    /// The fragment of `request`: the one kept for an equal row, else `render(request)`.
    func html(_ request: ApprovalRequest, render: (ApprovalRequest) -> String) -> String {
        if let kept = rendered.withLock({ $0[request.id] }), kept.request == request { return kept.html }
        let html = render(request)
        rendered.withLock { $0[request.id] = (request, html) }
        return html
    }

    /// Forgets every request but `ids` (the ones just shown).
    func keep(only ids: Set<String>) {
        rendered.withLock { kept in kept = kept.filter { ids.contains($0.key) } }
    }
}
