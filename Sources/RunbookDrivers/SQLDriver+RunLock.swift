import Foundation
import PostgresNIO
import PostgresURLKit
import RunbookCore

extension SQLDriver {
    /// Takes the run lock for `key` (say `"<runbook>@<environment>"`) on a dedicated connection,
    /// polling `pg_try_advisory_lock` every `poll` for up to `wait`.
    ///
    /// The holder (say `"alice (run 3f2a...)"`) is recorded in the table
    /// `runbook_run_lock(key, holder, since)`, created when missing, and in the lock
    /// connection's `application_name`; when the table cannot be created (no CREATE right), the
    /// application name alone tells a waiting run who holds the lock.
    ///
    /// - Throws: ``RunLockHeld`` naming the holder when the lock stayed taken; `DriverError`
    ///   when PostgreSQL cannot be reached (host and port, never the password).
    public func acquireRunLock(key: String, holder: String, wait: Duration, poll: Duration = .milliseconds(250)) async throws -> RunLock {
        let url: PostgresURL
        do { url = try self.url.get() } catch { throw DriverError(error.code, "run lock: \(error.message)") }
        let timeout = url.connectTimeout ?? options.connectTimeout
        var lockConfig: PostgresConnection.Configuration
        do {
            lockConfig = try url.connectionConfiguration(connectTimeout: timeout, applicationName: options.applicationName)
        } catch {
            throw DriverError(error, setting: database.setting)
        }
        lockConfig.options.additionalStartupParameters = [("application_name", Self.applicationName(holder: holder))]
        let config = lockConfig
        let connection: PostgresConnection
        do {
            connection = try await withDeadline(timeout) {
                try await PostgresConnection.connect(on: self.eventLoops.group.any(), configuration: config, id: 0, logger: Self.quietLogger)
            }
        } catch {
            let failure = Self.connectFailure(error, url: url, timeout: timeout)
            throw DriverError(failure.code, "run lock: \(failure.message)")
        }
        do {
            let recorded = await Self.prepareLockTable(on: connection)
            let clock = ContinuousClock()
            let start = clock.now
            while true {
                let rows = try await connection.query(
                    "SELECT pg_try_advisory_lock(\(RunLock.namespace), hashtext(\(key)))", logger: Self.quietLogger
                ).collect()
                if try rows.first?.decode(Bool.self) == true {
                    if recorded {
                        _ = try await connection.query("""
                            INSERT INTO runbook_run_lock (key, holder, since) VALUES (\(key), \(holder), now())
                            ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, since = EXCLUDED.since
                            """, logger: Self.quietLogger).collect()
                        // Rows of runs that died without releasing (their lock went with their
                        // connection) would name a holder that holds nothing: remove them.
                        _ = try? await connection.query("""
                            DELETE FROM runbook_run_lock r WHERE NOT EXISTS (
                                SELECT 1 FROM pg_locks l
                                WHERE l.locktype = 'advisory' AND l.granted AND l.classid = \(RunLock.namespace)::oid
                                  AND l.objid = hashtext(r.key)::oid AND l.objsubid = 2)
                            """, logger: Self.quietLogger).collect()
                    }
                    return RunLock(key: key, holder: holder, connection: connection, recorded: recorded)
                }
                let waited = clock.now - start
                if waited >= wait {
                    let (who, since) = await Self.lockHolder(key: key, on: connection)
                    try? await connection.close()
                    throw RunLockHeld(key: key, holder: who, since: since, waited: waited)
                }
                try await Task.sleep(for: min(poll, wait - waited))
            }
        } catch {
            try? await connection.close()
            if let p = error as? PSQLError { throw Self.queryFailure(p, step: "run lock", url: url, statementTimeoutMs: 0) }
            throw error
        }
    }

    /// `application_name` of the lock connection (PostgreSQL keeps 63 bytes).
    static func applicationName(holder: String) -> String {
        var name = "runbook lock: \(holder)"
        while name.utf8.count > 63 { name.removeLast() }
        return name
    }

    /// Creates `runbook_run_lock` when missing; false when it cannot be used.
    static func prepareLockTable(on connection: PostgresConnection) async -> Bool {
        do {
            let exists = try await connection.query("SELECT to_regclass('runbook_run_lock') IS NOT NULL", logger: quietLogger).collect()
            if try exists.first?.decode(Bool.self) == true { return true }
            _ = try await connection.query("""
                CREATE TABLE IF NOT EXISTS runbook_run_lock (
                    key text PRIMARY KEY, holder text NOT NULL, since timestamptz NOT NULL DEFAULT now())
                """, logger: quietLogger).collect()
            return true
        } catch {
            // No CREATE right, or a concurrent CREATE won the race: use the table if it is there.
            let exists = try? await connection.query("SELECT to_regclass('runbook_run_lock') IS NOT NULL", logger: quietLogger).collect()
            return (try? exists?.first?.decode(Bool.self)) == true
        }
    }

    /// Who holds the lock for `key`: from the table, else from the holding session's
    /// `application_name`.
    static func lockHolder(key: String, on connection: PostgresConnection) async -> (holder: String?, since: String?) {
        if let rows = try? await connection.query("""
            SELECT holder, to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM runbook_run_lock WHERE key = \(key)
            """, logger: quietLogger).collect(), let row = rows.first, let (holder, since) = try? row.decode((String, String).self) {
            return (holder, since)
        }
        let rows = try? await connection.query("""
            SELECT a.application_name, to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = \(RunLock.namespace)::oid
              AND l.objid = hashtext(\(key))::oid AND l.objsubid = 2
            """, logger: quietLogger).collect()
        guard let row = rows?.first, let (name, since) = try? row.decode((String?, String?).self) else { return (nil, nil) }
        let prefix = "runbook lock: "
        return (name.map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }, since)
    }
}
