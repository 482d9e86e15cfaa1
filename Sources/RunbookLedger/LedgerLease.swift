/// A connection lent by a ``LedgerPool``: the caller's alone until ``release()`` (or until
/// the lease is dropped), then the pool's again.
final class LedgerLease: Sendable {
    /// The ledger on the lent connection (never closed by its user).
    let ledger: Ledger
    private let returned: AsyncStream<Void>.Continuation

    init(ledger: Ledger, release: AsyncStream<Void>.Continuation) {
        self.ledger = ledger
        returned = release
    }

    /// Gives the connection back to the pool (idempotent).
    func release() {
        returned.finish()
    }

    deinit {
        returned.finish()
    }
}
