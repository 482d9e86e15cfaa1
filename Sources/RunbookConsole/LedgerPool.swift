public import RunbookDrivers
public import RunbookLedger

/// A few connections to the ledger, shared by every request of the console, round robin
/// (PostgresNIO queues the queries of one connection). A connection is made when first needed
/// and dropped when the ledger stops answering on it, so the console outlives a restart of the
/// ledger's server.
public actor LedgerPool {
    let url: String
    let eventLoops: DriverEventLoops
    var slots: [Ledger?]
    var next = 0

    /// A pool of `size` connections to `url`.
    public init(url: String, size: Int, eventLoops: DriverEventLoops) {
        self.url = url
        self.eventLoops = eventLoops
        slots = Array(repeating: nil, count: max(1, size))
    }

    func acquire() async throws(LedgerError) -> (Int, Ledger) {
        let i = next
        next = (next + 1) % slots.count
        if let ledger = slots[i] { return (i, ledger) }
        let ledger = try await Ledger.connect(url: url, eventLoops: eventLoops)
        if let raced = slots[i] {
            await ledger.close()
            return (i, raced)
        }
        slots[i] = ledger
        return (i, ledger)
    }

    func discard(_ i: Int, _ ledger: Ledger) async {
        guard slots[i] === ledger else { return }
        slots[i] = nil
        await ledger.close()
    }

    /// Runs `body` with a connection; a connection the ledger dropped is replaced next time.
    public nonisolated func with<T: Sendable>(_ body: @Sendable (Ledger) async throws -> T) async throws -> T {
        let (i, ledger) = try await acquire()
        do {
            return try await body(ledger)
        } catch let error as LedgerError where error.code == .unreachable {
            await discard(i, ledger)
            throw error
        }
    }

    /// Closes every connection.
    public func close() async {
        for case let ledger? in slots { await ledger.close() }
        slots = slots.map { _ in nil }
    }
}
