import Synchronization

/// What was made from an approval request's row (a parsed plan, a card's HTML, a plan's text),
/// kept by request id and reused while the row it was made from is equal: the console's
/// approvals page reads every open request at each view, and parsing 100 plans' JSON and
/// rendering 100 cards again at every view was most of the page's time. A value is made from its
/// `Row` alone, so an equal row gives an equal value; a row that differs in anything (a plan
/// edited in the ledger, a new decision, a request expired, a key revoked) is made again. Only
/// the requests last read are kept (``keep(only:)``).
public final class KeptByRequest<Row: Equatable & Sendable, Output: Sendable>: Sendable {
    private let kept = Mutex<[String: (row: Row, output: Output)]>([:])

    /// An empty memory.
    public init() {}

    /// What request `id`'s `row` makes: the one kept for an equal row, else `make(row)`.
    public func value(_ id: String, _ row: Row, make: (Row) -> Output) -> Output {
        if let old = kept.withLock({ $0[id] }), old.row == row { return old.output }
        let output = make(row)
        kept.withLock { $0[id] = (row, output) }
        return output
    }

    /// Forgets every request but `ids` (the ones just read).
    public func keep(only ids: Set<String>) {
        kept.withLock { all in all = all.filter { ids.contains($0.key) } }
    }
}
