public import Foundation
import PostgresNIO
public import RunbookCore

/// Where a page of runs ends: the next page starts after it (keyset paging, newest first).
public struct LedgerRunCursor: Sendable, Hashable {
    /// The run's start (its end when no start was recorded).
    public var at: Date
    public var runID: String

    public init(at: Date, runID: String) {
        self.at = at
        self.runID = runID
    }

    /// `SECONDS_SINCE_1970.MICROS~RUN_ID`, for a link.
    public var token: String { "\(Int64((at.timeIntervalSince1970 * 1_000_000).rounded()))~\(runID)" }

    /// The cursor of a link's `token`; nil when it is not one.
    public init?(token: String) {
        let parts = token.split(separator: "~", maxSplits: 1)
        guard parts.count == 2, let micros = Int64(parts[0]), !parts[1].isEmpty else { return nil }
        at = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
        runID = String(parts[1])
    }
}

/// What `/metrics` reads from the ledger at each scrape.
public struct LedgerStatistics: Sendable {
    /// Runs by runbook and status (`running`/`unfinished` for those without an end).
    public var runs: [(runbook: String, status: String, count: Int)] = []
    /// Per runbook: the runs ended in the last 24 hours, their total and p95 duration in seconds.
    public var durations: [(runbook: String, count: Int, sum: Double, p95: Double)] = []
    /// Pending approval requests (not expired), by environment.
    public var pendingApprovals: [(environment: String, count: Int)] = []
    /// Open incidents, by environment and severity.
    public var openIncidents: [(environment: String, severity: String, count: Int)] = []
}

extension Ledger {
    /// One page of runs matching `filter`, newest first, after `cursor` (nil: the newest).
    /// Sorted and paged by `(coalesce(started_at, ended_at), run_id)` so each page is an index
    /// range scan (schema version 4), whatever the number of runs.
    public func runsPage(_ filter: LedgerRunFilter, after cursor: LedgerRunCursor?) async throws(LedgerError) -> [LedgerRun] {
        let open = filter.status == "running" || filter.status == "unfinished"
        let status = open ? nil : filter.status
        return try await run("listing runs") {
            let rows = try await connection.query("""
                SELECT p.run_id, p.runbook, p.environment, p.mode, p.operator, p.host, p.run_lock, p.started_at, p.ended_at,
                       p.status, p.exit_code, p.duration_ms,
                       p.ended_at IS NULL AND \(unescaped: Self.holdsRunLock("p.run_id")) AS active
                  FROM (SELECT r.* FROM runbook.runs r
                         WHERE (\(filter.environment)::text IS NULL OR r.environment = \(filter.environment))
                           AND (\(filter.runbook)::text IS NULL OR r.runbook = \(filter.runbook))
                           AND (\(filter.operatorName)::text IS NULL OR r.operator = \(filter.operatorName))
                           AND (\(status)::text IS NULL OR r.status = \(status))
                           AND (NOT \(open) OR r.ended_at IS NULL)
                           AND (\(cursor?.at)::timestamptz IS NULL
                                OR (coalesce(r.started_at, r.ended_at), r.run_id) < (\(cursor?.at), \(cursor?.runID ?? "")))
                         ORDER BY coalesce(r.started_at, r.ended_at) DESC, r.run_id DESC
                         LIMIT \(filter.limit)) p
                 ORDER BY coalesce(p.started_at, p.ended_at) DESC, p.run_id DESC
                """, logger: Self.logger)
            let runs = try await Self.decodeRuns(rows)
            if filter.status == "running" || filter.status == "unfinished" {
                return runs.filter { ($0.displayStatus == filter.status) }
            }
            return runs
        }
    }

    /// Run `runID` as the run list shows it; nil when the ledger has no such run.
    public func run(id runID: String) async throws(LedgerError) -> LedgerRun? {
        try await run("reading the run") {
            let rows = try await connection.query("""
                SELECT r.run_id, r.runbook, r.environment, r.mode, r.operator, r.host, r.run_lock, r.started_at, r.ended_at,
                       r.status, r.exit_code, r.duration_ms,
                       r.ended_at IS NULL AND \(unescaped: Self.holdsRunLock("r.run_id"))
                  FROM runbook.runs r WHERE r.run_id = \(runID)
                """, logger: Self.logger)
            return try await Self.decodeRuns(rows).first
        }
    }

    /// Incidents, open first then newest, with their timelines (of `environment`, every one when nil).
    public func incidents(environment: String?, limit: Int = 100) async throws(LedgerError) -> [IncidentTimeline] {
        try await run("listing incidents") {
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.incidentColumns) FROM runbook.incidents
                 WHERE (\(environment)::text IS NULL OR environment = \(environment))
                 ORDER BY resolved_at IS NULL DESC, started_at DESC, id LIMIT \(limit)
                """, logger: Self.logger)
            var incidents: [IncidentTimeline] = []
            for try await row in rows { incidents.append(IncidentTimeline(incident: try Self.decodeIncident(row))) }
            guard !incidents.isEmpty else { return incidents }
            let ids = incidents.map(\.incident.id)
            let events = try await connection.query("""
                SELECT e.incident_id, e.at, e.kind, e.author, e.message, e.run_id, e.key, e.details::text,
                       CASE WHEN r.run_id IS NULL THEN NULL ELSE coalesce(r.status, 'unfinished') END
                  FROM runbook.incident_events e LEFT JOIN runbook.runs r ON r.run_id = e.run_id
                 WHERE e.incident_id = ANY(\(ids)::text[]) ORDER BY e.at, e.id
                """, logger: Self.logger)
            var byIncident: [String: [IncidentEvent]] = [:]
            var runStatuses: [String: String] = [:]
            for try await row in events {
                let c = try row.decode((String, Date, String, String, String, String?, String?, String?, String?).self)
                guard let event = Self.incidentEvent(at: c.1, kind: c.2, author: c.3, message: c.4, runID: c.5, key: c.6, details: c.7) else { continue }
                byIncident[c.0, default: []].append(event)
                if let run = c.5, let status = c.8 { runStatuses[run] = status }
            }
            return incidents.map { i in
                var i = i
                i.events = byIncident[i.incident.id] ?? []
                i.runStatuses = runStatuses.filter { run, _ in i.events.contains { $0.runID == run } }
                return i
            }
        }
    }

    /// The newest `limit` checkpoints, newest first (signed chain heads).
    public func recentCheckpoints(limit: Int = 50) async throws(LedgerError) -> [Checkpoint] {
        try await run("reading checkpoints") {
            let rows = try await connection.query("""
                SELECT source_id, seq, hash, previous, principal, run_id, signed_at, signature
                  FROM runbook.checkpoints ORDER BY received_at DESC, seq DESC LIMIT \(limit)
                """, logger: Self.logger)
            var all: [Checkpoint] = []
            for try await row in rows {
                let c = try row.decode((String, Int, String, String, String, String?, String, String).self)
                all.append(Checkpoint(source: c.0, seq: c.1, hash: c.2, previous: c.3, principal: c.4, runID: c.5, time: c.6, signature: c.7))
            }
            return all
        }
    }

    /// What `/metrics` shows, in four queries.
    public func statistics() async throws(LedgerError) -> LedgerStatistics {
        try await run("reading statistics") {
            var s = LedgerStatistics()
            for try await (runbook, status, count) in try await connection.query("""
                SELECT coalesce(runbook, '?'), coalesce(status, CASE WHEN ended_at IS NULL THEN 'unfinished' END), count(*)::bigint
                  FROM runbook.runs GROUP BY 1, 2 ORDER BY 1, 2
                """, logger: Self.logger).decode((String, String, Int).self) {
                s.runs.append((runbook, status, count))
            }
            for try await (runbook, count, sum, p95) in try await connection.query("""
                SELECT coalesce(runbook, '?'), count(*)::bigint, coalesce(sum(duration_ms), 0)::float8 / 1000,
                       coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms), 0)::float8 / 1000
                  FROM runbook.runs WHERE ended_at > now() - interval '24 hours' AND duration_ms IS NOT NULL GROUP BY 1 ORDER BY 1
                """, logger: Self.logger).decode((String, Int, Double, Double).self) {
                s.durations.append((runbook, count, sum, p95))
            }
            for try await (environment, count) in try await connection.query("""
                SELECT environment, count(*)::bigint FROM runbook.approval_requests
                 WHERE status = 'pending' AND expires_at > now() GROUP BY 1 ORDER BY 1
                """, logger: Self.logger).decode((String, Int).self) {
                s.pendingApprovals.append((environment, count))
            }
            for try await (environment, severity, count) in try await connection.query("""
                SELECT environment, severity, count(*)::bigint FROM runbook.incidents WHERE resolved_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2
                """, logger: Self.logger).decode((String, String, Int).self) {
                s.openIncidents.append((environment, severity, count))
            }
            return s
        }
    }
}
