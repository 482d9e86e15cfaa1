import Foundation
import PostgresNIO
public import RunbookCore

extension Ledger {
    /// The runs that match `filter`, newest first.
    public func runs(_ filter: LedgerRunFilter) async throws(LedgerError) -> [LedgerRun] {
        let sinceSeconds: Double? = filter.since.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        let status = filter.status == "running" || filter.status == "unfinished" ? nil : filter.status
        let wantsOpen = filter.status == "running" || filter.status == "unfinished" ? filter.status : nil
        return try await run("listing runs") {
            let rows = try await connection.query("""
                SELECT * FROM (
                    SELECT r.run_id, r.runbook, r.environment, r.mode, r.operator, r.host, r.run_lock, r.started_at, r.ended_at,
                           r.status, r.exit_code, r.duration_ms,
                           \(unescaped: Self.holdsRunLock("r.run_id")) AS active
                      FROM runbook.runs r
                     WHERE (\(filter.environment)::text IS NULL OR r.environment = \(filter.environment))
                       AND (\(filter.runbook)::text IS NULL OR r.runbook = \(filter.runbook))
                       AND (\(filter.operatorName)::text IS NULL OR r.operator = \(filter.operatorName))
                       AND (\(status)::text IS NULL OR r.status = \(status))
                       AND (\(sinceSeconds)::float8 IS NULL OR coalesce(r.started_at, r.ended_at) > now() - make_interval(secs => \(sinceSeconds)))
                       AND (\(filter.activeOnly || wantsOpen != nil) = false OR r.ended_at IS NULL)
                ) x
                WHERE (\(filter.activeOnly) = false OR x.active)
                  AND (\(wantsOpen)::text IS NULL OR (\(wantsOpen) = 'running') = x.active)
                ORDER BY coalesce(x.started_at, x.ended_at) DESC, x.run_id DESC
                LIMIT \(filter.limit)
                """, logger: Self.logger)
            return try await Self.decodeRuns(rows)
        }
    }

    /// Every record of run `runID`, parsed, in the order its log wrote them; empty when the
    /// ledger has none.
    public func records(runID: String) async throws(LedgerError) -> [ValueObject] {
        try await run("reading the run's records") {
            let rows = try await connection.query(
                "SELECT line FROM runbook.records WHERE run_id = \(runID) ORDER BY source_id, seq", logger: Self.logger)
            var records: [ValueObject] = []
            for try await line in rows.decode(String.self) {
                if let object = (try? JSON.parse(line))?.objectValue { records.append(object) }
            }
            return records
        }
    }

    /// Whether run `runID` is going on now (its process still holds its ledger connection).
    public func isActive(runID: String) async throws(LedgerError) -> Bool {
        try await run("reading the run's state") {
            var active = false
            for try await flag in try await connection.query("""
                SELECT \(unescaped: Self.holdsRunLock("x.run_id")) FROM (SELECT \(runID)::text AS run_id) x
                """, logger: Self.logger).decode(Bool.self) {
                active = flag
            }
            return active
        }
    }

    /// SQL: whether the run whose id is the expression `runID` holds its session advisory lock
    /// (taken by ``markActive(runID:)``; PostgreSQL drops it with the connection). Keys
    /// `(lockNamespace, hashtext(run id))` show in pg_locks as classid and objid, objsubid 2.
    static func holdsRunLock(_ runID: String) -> String {
        """
        EXISTS (SELECT 1 FROM pg_locks l
                 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                   AND l.classid::bigint = \(Int(lockNamespace))
                   AND l.objid::bigint = (hashtext(\(runID))::bigint + 4294967296) % 4294967296)
        """
    }

    /// The runs of rows whose columns are those of ``holdsRunLock(_:)``'s callers: run_id,
    /// runbook, environment, mode, operator, host, run_lock, started_at, ended_at, status,
    /// exit_code, duration_ms, active.
    static func decodeRuns(_ rows: PostgresRowSequence) async throws -> [LedgerRun] {
        var runs: [LedgerRun] = []
        for try await row in rows {
            let c = try row.decode((String, String?, String?, String?, String?, String?, String?, Date?, Date?, String?, Int?, Int?, Bool).self)
            runs.append(LedgerRun(runID: c.0, runbook: c.1, environment: c.2, mode: c.3, operatorName: c.4, host: c.5, runLock: c.6,
                                  startedAt: c.7, endedAt: c.8, status: c.9.map { RunReport.Status(rawValue: $0) ?? .error }, exitCode: c.10, durationMs: c.11, active: c.12))
        }
        return runs
    }
}
