import PostgresNIO

/// What wakes a run waiting for the decision on one approval request: the ledger's `NOTIFY`
/// on ``LedgerSchema/approvalsChannel`` naming the request (heard on a connection of its own,
/// with `LISTEN`), a slow re-check in case a notification was missed, and the end of the wait.
///
/// The first wakeup is `listening` (or `notListening`), once `LISTEN` is in force: a decision
/// made before that is found by the read that follows it, so none is lost between the request
/// and the `LISTEN`.
struct ApprovalWakeups: Sendable {
    /// Why the waiting run reads the request again.
    enum Wakeup: Sendable, Hashable {
        /// `LISTEN` is in force: read once now.
        case listening
        /// No notification will come (the ledger refused `LISTEN`, or the connection dropped):
        /// only the re-checks remain.
        case notListening(String)
        /// A decision on the request was announced.
        case notified
        /// `recheck` has passed.
        case recheck
        /// The wait is over (`--wait-approval`'s duration).
        case deadline
    }

    /// Where the ledger is.
    let url: String
    /// The request waited for: the notification's payload.
    let requestID: String
    /// How often to read again without a notification.
    let recheck: Duration
    /// When the wait ends.
    let deadline: ContinuousClock.Instant

    /// Calls `body` on each wakeup until it returns a value, and returns it; nil when the
    /// waiting task is cancelled (Ctrl-C). The listening connection is closed before it returns.
    func run<T: Sendable>(_ body: (Wakeup) async -> T?) async -> T? {
        let (wakeups, wake) = AsyncStream.makeStream(of: Wakeup.self, bufferingPolicy: .bufferingNewest(16))
        return await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await listen(wake) }
            tasks.addTask { await tick(wake) }
            var outcome: T?
            for await wakeup in wakeups {
                if let value = await body(wakeup) {
                    outcome = value
                    break
                }
            }
            tasks.cancelAll()
            wake.finish()
            return outcome
        }
    }

    /// `LISTEN`s until cancelled, waking for each decision on the request.
    private func listen(_ wake: AsyncStream<Wakeup>.Continuation) async {
        let ledger: Ledger
        do { ledger = try await Ledger.connect(url: url) } catch {
            wake.yield(.notListening(error.message))
            return
        }
        do {
            try await ledger.connection.listen(on: LedgerSchema.approvalsChannel) { notifications in
                wake.yield(.listening)
                for try await notification in notifications where notification.payload == requestID {
                    wake.yield(.notified)
                }
            }
            if !Task.isCancelled { wake.yield(.notListening("the ledger ended the notifications")) }
        } catch {
            // PSQLError's description is generic: no query text, no server detail.
            if !Task.isCancelled { wake.yield(.notListening("\(error)")) }
        }
        await ledger.close()
    }

    /// A `recheck` every so often, then `deadline`.
    private func tick(_ wake: AsyncStream<Wakeup>.Continuation) async {
        let clock = ContinuousClock()
        while true {
            do { try await clock.sleep(until: min(clock.now + recheck, deadline)) } catch { return }
            if clock.now >= deadline {
                wake.yield(.deadline)
                return
            }
            wake.yield(.recheck)
        }
    }
}
