public import RunbookCore
public import RunbookDrivers

/// Sends a local audit log's records to the ledger: whatever the log holds after what the
/// ledger already has, in seq order, each record at most once (the ledger's primary key is
/// the source and seq). Records from earlier runs that never arrived go first, so the ledger's
/// chain of a source has no holes.
///
/// The local log stays the record of truth: the writer never blocks a run for long and never
/// fails it. When the ledger cannot be reached, refuses the login, lacks its schema or holds
/// a conflicting record, the writer says so once (through `warn`) and stops; the records
/// wait in the local log for the next run or `runbook audit sync`.
public actor LedgerWriter {
    /// How far behind the ledger may be for a run to catch it up on its way; beyond that the
    /// run leaves the ledger alone and `runbook audit sync` does it.
    public static let runBacklogLimit = 10_000
    /// Records per statement.
    static let batch = 1000

    enum State {
        case idle
        case connecting(Task<Ledger?, Never>)
        case up(Ledger)
        /// On a long-lived process's pool: a connection lent per push.
        case pooled(LedgerPool)
        case down
    }

    private let url: String
    private let logPath: String
    private let host: String
    private let environment: String
    private let eventLoops: DriverEventLoops?
    private let pool: LedgerPool?
    /// The run marked active on the pool's marks connection, to unmark at the end.
    private var marked: String?
    /// The mark was asked for (once: the writer's first run id, as ``Ledger/markActive(runID:)``).
    private var markAsked = false
    private let backlogLimit: Int
    private let warn: @Sendable (String) -> Void
    private var state = State.idle
    private var source: String?
    /// Where in the local log the records not yet sent start.
    private var offset: Int?
    /// The highest seq the ledger is known to hold.
    public private(set) var sent = 0
    private var activeRun: String?
    /// A background push is scheduled (``pushSoon(runID:)``).
    private var pushScheduled = false
    /// How long a background push waits for more records: the records a run writes in a
    /// burst (a check's end, the next step's start) go in one statement.
    static let coalescing = Duration.milliseconds(20)
    /// Records sent by this writer (catch-up included).
    public private(set) var recordsSent = 0
    /// Why the connection failed, said by the first push.
    private var connectError: (any Error)?
    /// The push in progress: pushes run one after another, so a record is read and sent once.
    private var pushing: Task<Void, Never>?
    /// An approved action's start is being written: records wait for the push that uses the
    /// approval with it (``push(runID:using:)``), so the start never reaches the ledger alone.
    private var useReserved = false

    /// A writer for the log at `logPath` and the ledger at `url`; nothing connects until
    /// ``start()``. `warn` receives the one message said when the ledger is left alone.
    /// `pool`: the connections of a long-lived process (the runner) to borrow, one push at a
    /// time, instead of a connection of the writer's own.
    public init(url: String, logPath: String, host: String, environment: String, eventLoops: DriverEventLoops? = nil,
                pool: LedgerPool? = nil, backlogLimit: Int = LedgerWriter.runBacklogLimit, warn: @escaping @Sendable (String) -> Void)
    {
        self.url = url
        self.pool = pool
        self.logPath = logPath
        self.host = host
        self.environment = environment
        self.eventLoops = eventLoops
        self.backlogLimit = backlogLimit
        self.warn = warn
    }

    /// Starts connecting in the background (the run goes on meanwhile). A connection that
    /// fails is said (through `warn`) by the first push, not here: a run refused before its
    /// first record says only why it was refused.
    public func start() {
        guard case .idle = state else { return }
        if let pool {
            state = .pooled(pool)
            return
        }
        let url = url
        let eventLoops = eventLoops
        let task = Task { [weak self] () -> Ledger? in
            do {
                // The local log is the durable copy; the ledger's is caught up from it.
                let ledger = try await Ledger.connect(url: url, eventLoops: eventLoops, durable: false)
                do {
                    try await ledger.requireCurrentSchema()
                } catch {
                    await ledger.close()
                    throw error
                }
                return ledger
            } catch {
                await self?.connectionFailed(error)
                return nil
            }
        }
        state = .connecting(task)
    }

    private func connectionFailed(_ error: any Error) {
        connectError = error
    }

    /// Sends the log's new records shortly, in the background, with whatever else the run
    /// writes meanwhile: one statement for a burst of records instead of one each. A push
    /// already scheduled takes them. `once`: now, one statement with what the log holds, not
    /// also what the run writes while it is sent (a dry run's records otherwise go at its end).
    public func pushSoon(runID: String?, once: Bool = false) {
        guard !pushScheduled else { return }
        pushScheduled = true
        Task {
            if !once { try? await Task.sleep(for: Self.coalescing) }
            await self.scheduledPush(runID: runID, once: once)
        }
    }

    private func scheduledPush(runID: String?, once: Bool) async {
        pushScheduled = false
        await push(runID: runID, once: once)
    }

    /// Sends every complete record the local log holds now (at least through `seq`, when it was
    /// written). Returns once they are in the ledger, or once the ledger is given up.
    /// `runID`: the run being written, marked active in the ledger while the writer is connected.
    /// `once`: at most one statement's worth.
    public func push(runID: String? = nil, once: Bool = false) async {
        let previous = pushing
        let current = Task {
            await previous?.value
            await self.send(runID: runID, once: once)
        }
        pushing = current
        await current.value
    }

    /// Holds the records back from now until ``push(runID:using:)``: call it before writing
    /// the approved action's `step.started` locally.
    public func reserveUse() {
        useReserved = true
    }

    /// Sends every record the local log holds (the last an approved action's `step.started`)
    /// and uses the approval in the same transaction as the final statement of records
    /// (``Ledger/insert(source:records:runID:using:)``). Anything but `.used`: the action must
    /// not run; a ledger that cannot be used is given up for the run, as for any push.
    public func push(runID: String, using use: ApprovalUse) async -> ApprovalUse.Outcome {
        let previous = pushing
        let current = Task { () -> ApprovalUse.Outcome in
            await previous?.value
            return await self.send(runID: runID, once: false, use: use)
        }
        pushing = Task { _ = await current.value }
        return await current.value
    }

    private func send(runID: String?, once: Bool) async {
        _ = await send(runID: runID, once: once, use: nil)
    }

    @discardableResult
    private func send(runID: String?, once: Bool, use: ApprovalUse?) async -> ApprovalUse.Outcome {
        defer { if use != nil { useReserved = false } }
        let down = ApprovalUse.Outcome.unavailable("the ledger cannot record the use of \(use?.requestID ?? "") with the action's start: nothing was run")
        if case .idle = state { start() }
        if case .connecting(let task) = state {
            let ledger = await task.value
            if case .connecting = state {
                if let ledger {
                    state = .up(ledger)
                } else {
                    await giveUp(connectError ?? LedgerError(.failed, "the ledger's connection failed"))
                }
            }
        }
        // On a pool, the run's mark is taken first, on the marks connection: the marks of a
        // burst of runs wait in line there, and a borrowed connection must not wait with them.
        if let pool, let runID, !markAsked, case .pooled = state {
            markAsked = true
            if await pool.mark(runID: runID) { marked = runID }
        }
        guard let (ledger, lease) = await acquire() else { return down }
        defer { lease?.release() }
        do {
            if source == nil {
                try await prepare(ledger, activeRun: runID)
                if source != nil { activeRun = runID }
            }
            guard let source, var position = offset else { return down }
            if let runID, activeRun == nil {
                activeRun = runID
                if pool == nil { try await ledger.markActive(runID: runID) }
            }
            while true {
                // An approved action's start goes only with its approval's use.
                if useReserved && use == nil { break }
                // With a use: every record the log holds (those before the gate went at its
                // synced `gate.decision`), the action's start among them, in one statement.
                let (records, next) = try AuditTail.read(path: logPath, from: position, limit: use == nil ? Self.batch : .max)
                if records.isEmpty { break }
                var conflicts: [Int]
                if let use {
                    // One transaction: the records through the action's start, and the use.
                    let refusal: String?
                    (conflicts, refusal) = try await ledger.insert(source: source, records: records, runID: runID ?? "", using: use)
                    if let refusal { return .refused(refusal) }
                    if conflicts.isEmpty {
                        offset = next
                        sent = max(sent, records.last!.seq)
                        recordsSent += records.count
                        return .used
                    }
                } else {
                    conflicts = try await ledger.insert(source: source, records: records)
                }
                if let seq = conflicts.first {
                    throw LedgerError(.conflict, "the ledger already holds a different record at seq \(seq) of this audit log (\(logPath)): the log or the ledger was changed; run `runbook audit verify --ledger --env \(environment)`")
                }
                position = next
                offset = next
                sent = max(sent, records.last!.seq)
                recordsSent += records.count
                if once { break }
            }
        } catch let error as LedgerError {
            await giveUp(error)
        } catch {
            await giveUp(LedgerError(.failed, "\(error)"))
        }
        return down
    }

    /// Sends what is left, then `checkpoints` (each once the records it covers are there), and
    /// closes the connection (bounded by the caller).
    public func finish(checkpoints: [Checkpoint] = []) async {
        await push()
        await send(checkpoints)
        await close()
    }

    /// Stores the checkpoints of this log whose records the ledger holds (a checkpoint of seq
    /// 40 waits in the local file while the ledger has only 30). Returns how many the ledger
    /// holds now and how many of those it did not hold before.
    @discardableResult
    public func send(_ checkpoints: [Checkpoint]) async -> (held: Int, new: Int) {
        guard let source, checkpoints.contains(where: { $0.source == source && $0.seq <= sent }),
              let (ledger, lease) = await acquire() else { return (0, 0) }
        defer { lease?.release() }
        var held = 0, new = 0
        for checkpoint in checkpoints where checkpoint.source == source && checkpoint.seq <= sent {
            do {
                if try await ledger.insert(checkpoint: checkpoint) { new += 1 }
            } catch {
                await giveUp(error)
                break
            }
            held += 1
        }
        return (held, new)
    }

    /// Gives the ledger up for this run (a write that did not answer in time), saying so once.
    public func abandon(_ why: String) async {
        await giveUp(LedgerError(.unreachable, why))
    }

    /// Closes the connection without sending anything more.
    public func close() async {
        switch state {
        case .up(let ledger):
            state = .down
            await ledger.close()
        case .connecting(let task):
            state = .down
            await task.value?.close()
        case .pooled:
            state = .down
            await unmark()
        case .idle, .down:
            state = .down
        }
    }

    /// The ledger to write to now: the writer's connection, or one borrowed from the pool
    /// (with its lease, to release after the push); nil when the ledger was given up.
    private func acquire() async -> (Ledger, LedgerLease?)? {
        switch state {
        case .up(let ledger):
            return (ledger, nil)
        case .pooled(let pool):
            do {
                let lease = try await pool.lease()
                guard case .pooled = state else {
                    lease.release()
                    return nil
                }
                return (lease.ledger, lease)
            } catch {
                await giveUp(error)
                return nil
            }
        case .idle, .connecting, .down:
            return nil
        }
    }

    /// Ends the run's active mark on the pool's marks connection, if it took one.
    private func unmark() async {
        guard let pool, let runID = marked else { return }
        marked = nil
        await pool.unmark(runID: runID)
    }

    /// Whether the writer gave up on the ledger (or was closed).
    public var isDown: Bool {
        if case .down = state { return true }
        return false
    }

    /// Learns the source and where its unsent records start: the ledger's head, found in the
    /// local log by scanning back from its end.
    private func prepare(_ ledger: Ledger, activeRun: String?) async throws {
        guard let id = try AuditTail.sourceID(path: logPath) else { return }
        // On a pool, the mark is on the marks connection (see send), not the lent one.
        let head = try await ledger.open(source: id, host: host, path: logPath, activeRun: pool == nil ? activeRun : nil)
        guard let found = try AuditTail.offset(after: head, path: logPath, atMost: backlogLimit) else {
            let last = try AuditTail.lastSeq(path: logPath)
            if last < head {
                throw LedgerError(.conflict, "the ledger holds records of this audit log (\(logPath)) up to seq \(head), but the log ends at seq \(last): the local log was truncated; run `runbook audit verify --ledger --env \(environment)`")
            }
            throw LedgerError(.behind, "the ledger is \(last - head) records behind this machine's audit log (\(logPath)); run `runbook audit sync --env \(environment)` to send them")
        }
        source = id
        offset = found.offset
        sent = head
    }

    private func giveUp(_ error: any Error) async {
        if case .down = state { return }
        if case .up(let ledger) = state { await ledger.close() }
        let wasPooled = if case .pooled = state { true } else { false }
        state = .down
        if wasPooled { await unmark() }
        let ledgerError = error as? LedgerError ?? LedgerError(.failed, "\(error)")
        switch ledgerError.code {
        case .conflict, .behind:
            warn("warning: \(ledgerError.message); this run's records stay in the local audit log")
        default:
            warn("warning: \(ledgerError.message); records stay in the local audit log and reach the ledger with the next run or `runbook audit sync --env \(environment)`")
        }
    }
}
