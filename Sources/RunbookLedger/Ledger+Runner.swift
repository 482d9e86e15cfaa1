import Foundation
import PostgresNIO
public import RunbookCore

/// What the team's runner keeps in the ledger (schema 6): approvals used once, signed run
/// requests executed once, the policy each replica pinned.
extension Ledger {
    /// Inserts `records` of `source` (the last of them an approved action's `step.started`) and
    /// uses approval request `use.requestID` for run `runID`, in one transaction: its
    /// `approval_uses` row (one per request, ever: a second use, from any process, waits for
    /// the first to commit and finds it) and its status `used`. The request must be the
    /// requester's, pending or approved, and not expired by the ledger's clock. Returns the
    /// conflicting seqs (as ``insert(source:records:)``) or why the request cannot be used;
    /// either way nothing was written.
    public func insert(source: String, records: [AuditTail.Record], runID: String,
                       using use: ApprovalUse) async throws(LedgerError) -> (conflicts: [Int], refusal: String?)
    {
        let id = use.requestID
        return try await run("using the approval request with its action's start") {
            try await connection.query("BEGIN", logger: Self.logger)
            do {
                let conflicts = try await insertRecords(source: source, seqs: records.map(\.seq), hashes: records.map(\.hash), lines: records.map(\.line))
                var used = false
                if conflicts.isEmpty, use.standing {
                    // A standing approval: approved, not past its date by the ledger's clock; one
                    // row per run and action.
                    for try await _ in try await connection.query("""
                        INSERT INTO runbook.standing_uses (request_id, run_id, step)
                        SELECT id, \(runID), \(use.step) FROM runbook.approval_requests
                         WHERE id = \(id) AND run_id = \(StandingApproval.runID) AND status = 'approved' AND expires_at > now()
                        ON CONFLICT DO NOTHING RETURNING 1
                        """, logger: Self.logger) { used = true }
                    if used {
                        try await connection.query("COMMIT", logger: Self.logger)
                        return ([], nil)
                    }
                } else if conflicts.isEmpty {
                    for try await _ in try await connection.query("""
                        INSERT INTO runbook.approval_uses (request_id, run_id, requester)
                        SELECT id, \(runID), requester FROM runbook.approval_requests
                         WHERE id = \(id) AND requester = \(use.requester) AND status IN ('pending', 'approved') AND expires_at > now()
                        ON CONFLICT (request_id) DO NOTHING RETURNING 1
                        """, logger: Self.logger) { used = true }
                }
                if used {
                    try await connection.query("UPDATE runbook.approval_requests SET status = 'used' WHERE id = \(id)", logger: Self.logger)
                    try await connection.query("COMMIT", logger: Self.logger)
                    return ([], nil)
                }
                try await connection.query("ROLLBACK", logger: Self.logger)
                return (conflicts, conflicts.isEmpty ? try await whyUnusable(use) : nil)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: Self.logger)
                throw error
            }
        }
    }

    /// Why `use` was refused, by what the ledger holds now.
    private func whyUnusable(_ use: ApprovalUse) async throws -> String {
        let id = use.requestID
        let rows = try await connection.query("""
            SELECT a.requester, a.status, a.expires_at <= now(), extract(epoch FROM a.expires_at)::bigint, u.run_id
              FROM runbook.approval_requests a LEFT JOIN runbook.approval_uses u ON u.request_id = a.id WHERE a.id = \(id)
            """, logger: Self.logger)
        for try await (requester, status, expired, expiresAt, usedBy) in rows.decode((String, String, Bool, Int, String?).self) {
            if let usedBy, !use.standing { return "\(id) was used by run \(usedBy) meanwhile: a request passes its gate once" }
            if expired { return "\(id) expired at \(ApprovalRequest.time(expiresAt)) (the ledger's clock)" }
            if use.standing { return "standing approval \(id) is \(status)" }
            if requester != use.requester { return "\(id) was asked by \(requester): only its requester uses it" }
            return "\(id) is \(status)"
        }
        return "the ledger has no approval request \(id)"
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

extension Ledger {
    /// Every runner start of `environment`, oldest first (``PolicyChange/changes(_:)`` lists
    /// the changes among them).
    public func runnerPolicies(environment: String) async throws(LedgerError) -> [PolicyChange.Pin] {
        try await run("reading the runners' policies") {
            var pins: [PolicyChange.Pin] = []
            for try await (at, replica, principal, digest, files) in try await connection.query("""
                SELECT extract(epoch FROM started_at)::bigint, replica, principal, digest, files::text FROM runbook.runner_policies
                 WHERE environment = \(environment) ORDER BY started_at, id
                """, logger: Self.logger).decode((Int, String, String, String, String).self) {
                var map: [String: String] = [:]
                if case .object(let object)? = try? JSON.parse(files) {
                    for (path, value) in object.pairs { if case .string(let hash) = value { map[path] = hash } }
                }
                pins.append(PolicyChange.Pin(startedAt: at, replica: replica, principal: principal, digest: digest, files: map))
            }
            return pins
        }
    }
}
