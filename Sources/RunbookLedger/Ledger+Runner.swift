import Foundation
import PostgresNIO
import RunbookCore

/// What the team's runner keeps in the ledger (schema 6): approvals used once, signed run
/// requests executed once, the policy each replica pinned.
extension Ledger {
    /// Uses approval request `id` for run `runID` of `requester`, in one transaction: its
    /// `approval_uses` row (one per request, ever) and its status `used`. False when it was
    /// used already (whatever its status says) or is no longer pending or approved.
    public func useApproval(_ id: String, runID: String, requester: String) async throws(LedgerError) -> Bool {
        try await run("using the approval request") {
            try await connection.query("BEGIN", logger: Self.logger)
            do {
                var inserted = false
                for try await _ in try await connection.query("""
                    INSERT INTO runbook.approval_uses (request_id, run_id, requester) VALUES (\(id), \(runID), \(requester))
                    ON CONFLICT (request_id) DO NOTHING RETURNING 1
                    """, logger: Self.logger) { inserted = true }
                var updated = false
                if inserted {
                    for try await _ in try await connection.query("""
                        UPDATE runbook.approval_requests SET status = 'used' WHERE id = \(id) AND status IN ('pending', 'approved') RETURNING 1
                        """, logger: Self.logger) { updated = true }
                }
                try await connection.query(PostgresQuery(unsafeSQL: inserted && updated ? "COMMIT" : "ROLLBACK"), logger: Self.logger)
                return inserted && updated
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: Self.logger)
                throw error
            }
        }
    }

    /// The run that used approval request `id`; nil when none did.
    public func approvalUse(_ id: String) async throws(LedgerError) -> String? {
        try await run("reading the approval request's use") {
            var found: String?
            for try await runID in try await connection.query("SELECT run_id FROM runbook.approval_uses WHERE request_id = \(id)",
                                                              logger: Self.logger).decode(String.self) { found = runID }
            return found
        }
    }

    /// Records signed run request `nonce` as received by `replica`; false when the ledger has
    /// it already (a replay, or another replica took it): the request is executed only when true.
    public func claimRunnerRequest(nonce: String, principal: String, runbook: String, environment: String, mode: String, signedAt: Int,
                                   replica: String, request: String, signature: String) async throws(LedgerError) -> Bool
    {
        try await run("recording the run request") {
            var claimed = false
            for try await _ in try await connection.query("""
                INSERT INTO runbook.runner_requests (nonce, principal, runbook, environment, mode, signed_at, replica, request, signature)
                VALUES (\(nonce), \(principal), \(runbook), \(environment), \(mode), to_timestamp(\(signedAt)), \(replica), \(request), \(signature))
                ON CONFLICT (nonce) DO NOTHING RETURNING 1
                """, logger: Self.logger) { claimed = true }
            return claimed
        }
    }

    /// The ledger's clock, in whole seconds since 1970: what the runner checks a decision's
    /// time against, so no replica's clock decides an expiry.
    public func now() async throws(LedgerError) -> Int {
        try await run("reading the ledger's clock") {
            var seconds = 0
            for try await (value) in try await connection.query("SELECT extract(epoch FROM now())::bigint", logger: Self.logger).decode(Int.self) {
                seconds = value
            }
            return seconds
        }
    }

    /// Links run request `nonce` to the run that executes it.
    public func setRunnerRequestRun(nonce: String, runID: String) async throws(LedgerError) {
        try await run("recording the run request's run") {
            try await connection.query("UPDATE runbook.runner_requests SET run_id = \(runID) WHERE nonce = \(nonce)", logger: Self.logger)
        }
    }

    /// Records that `replica` started with the policy of digest `digest` (`files`: each pinned
    /// file's path and SHA-256).
    public func pinPolicy(replica: String, host: String, environment: String, principal: String, digest: String,
                          files: [String: String]) async throws(LedgerError)
    {
        let json = JSON.encode(.object(ValueObject(files.map { ($0.key, Value.string($0.value)) }.sorted { $0.0 < $1.0 })))
        try await run("recording the runner's policy") {
            try await connection.query("""
                INSERT INTO runbook.runner_policies (replica, host, environment, principal, digest, files)
                VALUES (\(replica), \(host), \(environment), \(principal), \(digest), \(json)::jsonb)
                """, logger: Self.logger)
        }
    }
}

extension Ledger {
    /// Takes the session advisory lock named `name` if it is free (released when this
    /// connection closes): one replica at a time does what it guards.
    public func tryLock(_ name: String) async throws(LedgerError) -> Bool {
        try await run("taking a lock") {
            var taken = false
            for try await t in try await connection.query("SELECT pg_try_advisory_lock(\(Self.lockNamespace), hashtext(\(name)))",
                                                          logger: Self.logger).decode(Bool.self) { taken = t }
            return taken
        }
    }

    /// Runs of `environment` executed by a runner that have no end and that no live process
    /// holds (the replica running them was killed), started more than `grace` ago.
    public func lostRunnerRuns(environment: String, grace: Int = 10) async throws(LedgerError) -> [String] {
        try await run("looking for lost runs") {
            var lost: [String] = []
            for try await runID in try await connection.query("""
                SELECT r.run_id FROM runbook.runs r JOIN runbook.runner_requests q ON q.run_id = r.run_id
                 WHERE q.environment = \(environment) AND r.ended_at IS NULL AND r.started_at < now() - make_interval(secs => \(grace))
                   AND NOT \(unescaped: Self.holdsRunLock("r.run_id"))
                 ORDER BY r.started_at
                """, logger: Self.logger).decode(String.self) { lost.append(runID) }
            return lost
        }
    }
}
