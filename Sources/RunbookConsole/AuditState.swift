import Foundation
import RunbookCore
import RunbookLedger

/// The console's `audit verify --ledger`: the last result, served to every viewer of `/audit`,
/// `/api/audit` and `/metrics`, and at most one verification in flight. A verification reads
/// the whole ledger, so viewers never start one: the console's timer (``AuditRefresher``) and
/// the page's button do, and a request while one runs joins it.
actor AuditState {
    struct Result: Sendable {
        var intact: Bool
        var lines: [LedgerAudit.Line]
        var checkpoints: [Checkpoint]
        var at: Date
        var took: Duration
    }

    private(set) var last: Result?
    private var running: Task<Result, any Error>?
    /// How many verifications this console has run (for `/metrics`).
    private(set) var verifications = 0

    /// Whether a verification is running now.
    var isRunning: Bool { running != nil }

    /// The running verification, or a new one of `work` when none runs; its result becomes
    /// ``last``.
    func refresh(_ work: @escaping @Sendable () async throws -> Result) -> Task<Result, any Error> {
        if let running { return running }
        verifications += 1
        let task = Task { try await work() }
        running = task
        Task { await self.finished(task) }
        return task
    }

    /// The last result; when there is none yet, the running (or a new) verification's.
    func current(_ work: @escaping @Sendable () async throws -> Result) async throws -> Result {
        if let last { return last }
        return try await refresh(work).value
    }

    private func finished(_ task: Task<Result, any Error>) async {
        if let result = try? await task.value { last = result }
        if running == task { running = nil }
    }
}
