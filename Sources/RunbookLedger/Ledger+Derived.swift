import PostgresNIO

/// What `audit verify --ledger` checks beyond the chains (issue 19): the ledger's derived
/// tables against its hash-chained records, approval requests used once, and live runs that
/// did not go through the environment's runner. Read-only: a reader's login runs them.
extension Ledger {
    /// Runs whose row in `runbook.runs` says something else than their `run.started` and
    /// `run.ended` records (a row edited with `UPDATE runbook.runs`, or one no record holds):
    /// (run id, what differs), at most `limit`.
    public func derivedRunMismatches(limit: Int = 20) async throws(LedgerError) -> [(runID: String, difference: String)] {
        try await run("comparing runs with their records") {
            let rows = try await connection.query("""
                WITH s AS (SELECT DISTINCT ON (run_id) run_id, line::jsonb AS j FROM runbook.records
                            WHERE event = 'run.started' ORDER BY run_id, ts DESC, seq DESC),
                     e AS (SELECT DISTINCT ON (run_id) run_id, line::jsonb AS j FROM runbook.records
                            WHERE event = 'run.ended' ORDER BY run_id, ts DESC, seq DESC)
                SELECT r.run_id, concat_ws('; ',
                    CASE WHEN s.run_id IS NULL AND e.run_id IS NULL THEN 'no record of the ledger holds this run' END,
                    CASE WHEN s.run_id IS NOT NULL AND r.operator IS DISTINCT FROM s.j->>'operator'
                         THEN format('operator %s, its records say %s', coalesce(r.operator, 'NULL'), s.j->>'operator') END,
                    CASE WHEN s.run_id IS NOT NULL AND r.runbook IS DISTINCT FROM s.j->>'runbook'
                         THEN format('runbook %s, its records say %s', coalesce(r.runbook, 'NULL'), s.j->>'runbook') END,
                    CASE WHEN s.run_id IS NOT NULL AND r.environment IS DISTINCT FROM s.j->>'environment'
                         THEN format('environment %s, its records say %s', coalesce(r.environment, 'NULL'), s.j->>'environment') END,
                    CASE WHEN s.run_id IS NOT NULL AND r.mode IS DISTINCT FROM s.j->>'mode'
                         THEN format('mode %s, its records say %s', coalesce(r.mode, 'NULL'), s.j->>'mode') END,
                    CASE WHEN e.run_id IS NOT NULL AND r.status IS DISTINCT FROM e.j->>'status'
                         THEN format('status %s, its records say %s', coalesce(r.status, 'NULL'), e.j->>'status') END,
                    CASE WHEN e.run_id IS NULL AND s.run_id IS NOT NULL AND r.status IS NOT NULL
                         THEN format('status %s, but no record says it ended', r.status) END,
                    CASE WHEN e.run_id IS NOT NULL AND r.exit_code IS DISTINCT FROM (e.j->>'exit_code')::int
                         THEN format('exit code %s, its records say %s', coalesce(r.exit_code::text, 'NULL'), e.j->>'exit_code') END
                ) AS difference
                  FROM runbook.runs r LEFT JOIN s USING (run_id) LEFT JOIN e USING (run_id)
                """, logger: Self.logger)
            var found: [(String, String)] = []
            for try await (id, difference) in rows.decode((String, String).self) where !difference.isEmpty && found.count < limit {
                found.append((id, difference))
            }
            return found
        }
    }

    /// Approval requests whose records say more than one gate passed with them, or that they
    /// were used while the request's row says otherwise (a used request set back to
    /// `approved`): one line each.
    public func approvalUseProblems() async throws(LedgerError) -> [String] {
        try await run("counting the uses of approval requests") {
            let rows = try await connection.query("""
                WITH used AS (
                    SELECT j->'approval'->>'request_id' AS id, count(*) AS uses, string_agg(DISTINCT run_id, ', ') AS runs
                      FROM (SELECT run_id, line::jsonb AS j FROM runbook.records WHERE event = 'gate.decision') g
                     WHERE j->>'decision' = 'approved' AND j->'approval' ? 'approvals' AND NOT (j->'approval' ? 'standing')
                       -- A run whose use was refused at the action's start (another run used the
                       -- request first) ended that step declined: it did not use it.
                       AND NOT EXISTS (SELECT 1 FROM runbook.records e WHERE e.run_id = g.run_id AND e.event = 'step.ended'
                                          AND e.line::jsonb->>'step' = g.j->>'step' AND e.line::jsonb->>'status' = 'declined')
                     GROUP BY 1)
                SELECT u.id, u.uses, u.runs, coalesce(a.status, '') FROM used u LEFT JOIN runbook.approval_requests a ON a.id = u.id
                 WHERE u.uses > 1 OR a.status IS DISTINCT FROM 'used'
                 ORDER BY u.id
                """, logger: Self.logger)
            var lines: [String] = []
            for try await (id, uses, runs, status) in rows.decode((String, Int, String, String).self) {
                if uses > 1 {
                    lines.append("approval request \(id) was used \(uses) times (runs \(runs)): a request passes one gate once")
                }
                if status != "used" {
                    lines.append("approval request \(id) is '\(status.isEmpty ? "missing" : status)' in the ledger, but its records say run \(runs) used it (the row was changed)")
                }
            }
            return lines
        }
    }

    /// Live runs of `environment` that ended without a checkpoint signed by the runner's
    /// `principal`: they did not go through the runner (run id, operator), at most `limit`.
    public func unenforcedRuns(environment: String, principal: String, limit: Int = 20) async throws(LedgerError) -> [(runID: String, operator: String)] {
        try await run("looking for runs that bypassed the runner") {
            let rows = try await connection.query("""
                SELECT r.run_id, coalesce(r.operator, '?') FROM runbook.runs r
                 WHERE r.environment = \(environment) AND r.mode = 'live' AND r.ended_at IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM runbook.checkpoints c WHERE c.run_id = r.run_id AND c.principal = \(principal))
                 ORDER BY r.started_at LIMIT \(limit)
                """, logger: Self.logger)
            var found: [(String, String)] = []
            for try await (id, op) in rows.decode((String, String).self) { found.append((id, op)) }
            return found
        }
    }
}
