import Foundation
import PostgresNIO
public import RunbookCore
import Synchronization

/// A held run lock: a PostgreSQL advisory lock on a connection of its own, kept for the whole
/// live run so that a second live run of the same runbook in the same environment waits, then
/// stops naming who holds it. Get one from ``SQLDriver/acquireRunLock(key:holder:wait:poll:)``;
/// call ``release()`` at the end. If the process dies, the server releases the lock with the
/// connection.
public final class RunLock: RunLease {
    /// The advisory lock space of run locks: `pg_advisory_lock(namespace, hashtext(key))`.
    static let namespace: Int32 = 0x5255_4E42  // "RUNB"

    /// What was locked, e.g. `scenario-2-high-error-rate@production`.
    public let key: String
    /// Who holds it, e.g. `alice (run 3f2a...)`.
    public let holder: String
    let connection: PostgresConnection
    let recorded: Bool
    private let released = Atomic(false)

    init(key: String, holder: String, connection: PostgresConnection, recorded: Bool) {
        self.key = key
        self.holder = holder
        self.connection = connection
        self.recorded = recorded
    }

    /// Whether ``release()`` was called.
    public var isReleased: Bool { released.load(ordering: .acquiring) }

    /// Releases the lock and closes its connection (idempotent; errors are ignored: closing the
    /// connection releases the lock in any case).
    public func release() async {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if recorded {
            _ = try? await connection.query("DELETE FROM runbook_run_lock WHERE key = \(key) AND holder = \(holder)", logger: SQLDriver.quietLogger).get()
        }
        _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.namespace), hashtext(\(key)))", logger: SQLDriver.quietLogger).get()
        try? await connection.close()
    }

    /// Confirms, on the lock's own connection and within 5 s, that this session still holds
    /// the advisory lock. Throws ``RunLockLost`` when the connection died (the backend was
    /// terminated, the server restarted or failed over) or the lock is not held any more.
    public func verify() async throws {
        guard !isReleased else { throw RunLockLost(key: key, reason: "it was released") }
        guard !connection.isClosed else { throw RunLockLost(key: key, reason: "its connection to PostgreSQL closed") }
        let connection = self.connection
        let key = self.key
        let held: Bool
        do {
            held = try await withDeadline(.seconds(5), grace: .milliseconds(200)) {
                let rows = try await connection.query("""
                    SELECT count(*) = 1 FROM pg_locks
                    WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
                      AND classid = \(Self.namespace)::oid AND objid = hashtext(\(key))::oid AND objsubid = 2
                    """, logger: SQLDriver.quietLogger).collect()
                return try rows.first?.decode(Bool.self) ?? false
            }
        } catch is TimeoutError {
            throw RunLockLost(key: key, reason: "its connection to PostgreSQL did not answer within 5s")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw RunLockLost(key: key, reason: "its connection to PostgreSQL failed (\(SQLDriver.reason(error)))")
        }
        guard held else { throw RunLockLost(key: key, reason: "PostgreSQL no longer shows it held by this run") }
    }

    /// Dropped without ``release()``: the connection is closed (which releases the lock) by a
    /// task that keeps it alive until then (PostgresNIO requires a connection be closed).
    deinit {
        if !released.load(ordering: .acquiring) {
            let connection = self.connection
            Task { try? await connection.close() }
        }
    }
}
