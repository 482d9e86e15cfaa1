public import RunbookCore

/// The audit sink of a run with a ledger: each record is appended to the local log first (the
/// record of truth, synced before every action as without a ledger), then sent to the ledger
/// by a ``LedgerWriter``. A record that announces an action is in the ledger before the
/// action runs, when the ledger answers within ``syncWait``; otherwise the writer gives the
/// ledger up for the run and says so once. Failing to write the local log stops the run as
/// before; the ledger never does.
public final class LedgerAuditSink: AuditSink {
    /// How long a synced record waits for the ledger before the run goes on without it.
    public static let syncWait = Duration.seconds(5)

    /// The local log.
    public let log: AuditLog
    /// The ledger's writer.
    public let writer: LedgerWriter
    /// Send records as they come, a burst at a time (live runs: the team follows them), rather
    /// than at each synced record and the end (dry runs: fewer round trips).
    private let eager: Bool

    /// A sink writing `log`, then the ledger through `writer` (started now).
    public init(log: AuditLog, writer: LedgerWriter, eager: Bool) {
        self.log = log
        self.writer = writer
        self.eager = eager
    }

    /// Appends `event` locally (synced when `sync`), then sends it: in a live run waiting for
    /// the ledger when `sync`, in the background otherwise. A dry run sends its start (so it
    /// shows as running) and the rest with ``LedgerWriter/finish(checkpoints:)``: it runs no
    /// action that a record must announce.
    public func record(_ event: AuditEvent, runID: String, sync: Bool) async throws(AuditError) {
        try log.record(event, runID: runID, sync: sync)
        let writer = writer
        if eager {
            if sync {
                await Self.push(writer, runID: runID)
            } else {
                await writer.pushSoon(runID: runID)
            }
        } else if event.name == "run.started" {
            await writer.pushSoon(runID: runID, once: true)
        }
    }

    /// Appends the approved action's `step.started` locally (synced), then sends it to the
    /// ledger with the approval's use, in one transaction. Unlike other records, this one does
    /// not let the run go on without the ledger: the action runs only when the use is recorded.
    public func start(_ event: AuditEvent, runID: String, using use: ApprovalUse) async throws(AuditError) -> ApprovalUse.Outcome {
        await writer.reserveUse()
        try log.record(event, runID: runID, sync: true)
        let writer = writer
        do {
            return try await withDeadline(Self.syncWait, grace: .zero) { await writer.push(runID: runID, using: use) }
        } catch is TimeoutError {
            await writer.abandon("the ledger did not answer within \(DurationText.format(Self.syncWait))")
            return .unavailable("the ledger did not record the use of \(use.requestID) within \(DurationText.format(Self.syncWait)): nothing was run")
        } catch {
            return .unavailable("interrupted before the use of \(use.requestID) was recorded: nothing was run")
        }
    }

    /// Fsyncs the local log and sends what is left.
    public func flush() async throws(AuditError) {
        try log.sync()
        await Self.push(writer, runID: nil)
    }

    /// Sends what the log holds, giving the ledger up after ``syncWait``. An interrupted run
    /// stops waiting at once; `finish()` sends its records afterwards.
    static func push(_ writer: LedgerWriter, runID: String?) async {
        do {
            try await withDeadline(syncWait, grace: .zero) { await writer.push(runID: runID) }
        } catch is TimeoutError {
            await writer.abandon("the ledger did not answer within \(DurationText.format(syncWait))")
        } catch {
            // Cancelled: the run was interrupted.
        }
    }
}
