import PostgresNIO
import RunbookLedger

/// The runner's own connection to the ledger, for what it records per request (the nonce,
/// the run id) and where its runs are marked active (a session advisory lock each, see
/// ``LedgerPool``): made once and kept, instead of a connection (and its SCRAM handshake) per
/// request, and so that the marks end with the process, SIGKILL included. A connection found
/// closed (the server restarted, failed over) is made again by the next request; a request
/// that fails meanwhile is refused (503) as before.
actor RunnerLedgerLink {
    let url: String
    private var pending: Task<Result<Ledger, LedgerError>, Never>?

    init(url: String) {
        self.url = url
    }

    /// The connection, made when there is none or it closed.
    func ledger() async throws(LedgerError) -> Ledger {
        if let task = pending {
            let result = await task.value
            if case .success(let ledger) = result, !ledger.connection.isClosed { return ledger }
            if pending == task {
                pending = nil
                if case .success(let ledger) = result { await ledger.close() }
            }
            if let again = pending { return try await again.value.get() }
        }
        let url = self.url
        let task = Task { () -> Result<Ledger, LedgerError> in
            do throws(LedgerError) { return .success(try await Ledger.connect(url: url)) } catch { return .failure(error) }
        }
        pending = task
        let result = await task.value
        if case .failure = result, pending == task { pending = nil }
        return try result.get()
    }
}
