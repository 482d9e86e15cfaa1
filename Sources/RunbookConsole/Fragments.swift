import Synchronization

/// Parts of the approvals cards, each rendered once per request and reused while what it is
/// rendered from is equal: reading 100 plans' rows back as tables and rendering them, and the
/// cards around them, at every view was most of the page's time. A part is rendered from its
/// `Row` alone, so an equal row gives an equal fragment; a row that differs in anything (a plan
/// edited in the ledger, a new decision, a request expired) is rendered again. Only the requests
/// last shown are kept.
final class Fragments<Row: Equatable & Sendable>: Sendable {
    private let rendered = Mutex<[String: (row: Row, html: String)]>([:])

    /// The fragment of request `id` rendered from `row`: the one kept for an equal row, else `render(row)`.
    func html(_ id: String, _ row: Row, render: (Row) -> String) -> String {
        if let kept = rendered.withLock({ $0[id] }), kept.row == row { return kept.html }
        let html = render(row)
        rendered.withLock { $0[id] = (row, html) }
        return html
    }

    /// Forgets every request but `ids` (the ones just shown).
    func keep(only ids: Set<String>) {
        rendered.withLock { kept in kept = kept.filter { ids.contains($0.key) } }
    }
}
