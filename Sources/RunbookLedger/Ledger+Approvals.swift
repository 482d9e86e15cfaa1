import Foundation
import PostgresNIO
public import RunbookCore

extension Ledger {
    /// Stores a new approval request (pending).
    public func insert(request r: ApprovalRequest) async throws(LedgerError) {
        let plan = JSON.encode(r.plan)
        try await run("writing the approval request") {
            try await connection.query("""
                INSERT INTO runbook.approval_requests
                    (id, run_id, runbook, environment, action, risk, requester, digest, plan, required, status, created_at, expires_at, signature)
                VALUES (\(r.id), \(r.runID), \(r.runbook), \(r.environment), \(r.action), \(r.risk.rawValue), \(r.requester), \(r.digest),
                        \(plan)::jsonb, \(r.required), \(r.status.rawValue), to_timestamp(\(r.createdAt)), to_timestamp(\(r.expiresAt)), \(r.signature))
                """, logger: Self.logger)
        }
    }

    static let requestColumns = """
        id, run_id, runbook, environment, action, risk, requester, digest, plan::text, required, status,
        extract(epoch FROM created_at)::bigint, extract(epoch FROM expires_at)::bigint, signature
        """

    /// The request `id`; nil when the ledger has none.
    public func request(_ id: String) async throws(LedgerError) -> ApprovalRequest? {
        try await run("reading the approval request") {
            let rows = try await connection.query("SELECT \(unescaped: Self.requestColumns) FROM runbook.approval_requests WHERE id = \(id)", logger: Self.logger)
            var found: ApprovalRequest?
            for try await row in rows { found = try Self.decodeRequest(row) }
            return found
        }
    }

    /// Requests, newest first: of `environment` (every one when nil); `open` keeps those still
    /// pending or approved and not expired. With `plans` (by request id, from the plan's stored
    /// text), a plan stored as the same text as at the last read is not parsed again.
    public func requests(environment: String?, open: Bool, limit: Int = 200, plans: KeptByRequest<String, Value>? = nil) async throws(LedgerError) -> [ApprovalRequest] {
        try await run("listing approval requests") {
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.requestColumns) FROM runbook.approval_requests
                 WHERE (\(environment)::text IS NULL OR environment = \(environment))
                   AND (NOT \(open) OR (status IN ('pending', 'approved') AND expires_at > now()))
                 ORDER BY created_at DESC, id LIMIT \(limit)
                """, logger: Self.logger)
            var out: [ApprovalRequest] = []
            for try await row in rows { out.append(try Self.decodeRequest(row, plans: plans)) }
            return out
        }
    }

    static func decodeRequest(_ row: PostgresRow, plans: KeptByRequest<String, Value>? = nil) throws -> ApprovalRequest {
        let c = try row.decode((String, String, String, String, String, String, String, String, String, Int, String, Int, Int, String).self)
        let plan = plans?.value(c.0, c.8, make: parsePlan) ?? parsePlan(c.8)
        return ApprovalRequest(id: c.0, runID: c.1, runbook: c.2, environment: c.3, action: c.4, risk: Step.Risk(rawValue: c.5) ?? .high,
                               requester: c.6, digest: c.7, plan: plan, required: c.9, status: ApprovalRequest.Status(rawValue: c.10) ?? .pending,
                               createdAt: c.11, expiresAt: c.12, signature: c.13)
    }

    /// A stored plan's value (`null` when it cannot be read).
    static func parsePlan(_ text: String) -> Value {
        (try? JSON.parse(text, exactDecimals: true)) ?? .null
    }

    /// The decisions on `requestID`, oldest first.
    public func decisions(_ requestID: String) async throws(LedgerError) -> [ApprovalDecision] {
        try await run("reading approval decisions") {
            let rows = try await connection.query("""
                SELECT request_id, approver, decision, coalesce(comment, ''), extract(epoch FROM decided_at)::bigint, signature, via, signer
                  FROM runbook.approval_decisions WHERE request_id = \(requestID) ORDER BY decided_at, approver
                """, logger: Self.logger)
            var out: [ApprovalDecision] = []
            for try await row in rows {
                let c = try row.decode((String, String, String, String, Int, String, String, String?).self)
                // An unknown `via` counts as the console's: its signature is then checked
                // against the console's principal, which a row edited to say so does not have.
                out.append(ApprovalDecision(requestID: c.0, approver: c.1, verdict: ApprovalDecision.Verdict(rawValue: c.2) ?? .denied,
                                            comment: c.3, decidedAt: c.4, signature: c.5, via: ApprovalDecision.Via(rawValue: c.6) ?? .console,
                                            signer: c.7))
            }
            return out
        }
    }

    /// Records a decision; false when this approver has already decided on the request.
    public func insert(decision d: ApprovalDecision) async throws(LedgerError) -> Bool {
        try await run("writing the approval decision") {
            let rows = try await connection.query("""
                INSERT INTO runbook.approval_decisions (request_id, approver, decision, comment, via, signer, signature, decided_at)
                VALUES (\(d.requestID), \(d.approver), \(d.verdict.rawValue), \(d.comment), \(d.via.rawValue), \(d.signer), \(d.signature),
                        to_timestamp(\(d.decidedAt)))
                ON CONFLICT (request_id, approver) DO NOTHING RETURNING 1
                """, logger: Self.logger)
            var inserted = false
            for try await _ in rows { inserted = true }
            return inserted
        }
    }

    /// Moves request `id` to `status` if it is in one of `from`; false when it was not.
    @discardableResult
    public func setStatus(_ id: String, to status: ApprovalRequest.Status, from: [ApprovalRequest.Status]) async throws(LedgerError) -> Bool {
        let allowed = from.map(\.rawValue)
        return try await run("updating the approval request") {
            let rows = try await connection.query("""
                UPDATE runbook.approval_requests SET status = \(status.rawValue) WHERE id = \(id) AND status = ANY(\(allowed)::text[]) RETURNING 1
                """, logger: Self.logger)
            var updated = false
            for try await _ in rows { updated = true }
            return updated
        }
    }
}

extension Ledger {
    /// The standing approvals of `runbook` in `environment` that are pending or approved, newest
    /// first, with the ledger's clock (seconds since 1970): expiry is by the ledger's time.
    public func standingApprovals(runbook: String, environment: String) async throws(LedgerError) -> (requests: [ApprovalRequest], now: Int) {
        try await run("reading standing approvals") {
            var out: [ApprovalRequest] = []
            for try await row in try await connection.query("""
                SELECT \(unescaped: Self.requestColumns) FROM runbook.approval_requests
                 WHERE run_id = \(StandingApproval.runID) AND runbook = \(runbook) AND environment = \(environment) AND status IN ('pending', 'approved')
                 ORDER BY created_at DESC, id LIMIT 50
                """, logger: Self.logger) { out.append(try Self.decodeRequest(row)) }
            var now = 0
            for try await t in try await connection.query("SELECT extract(epoch FROM now())::bigint", logger: Self.logger).decode(Int.self) { now = t }
            return (out, now)
        }
    }
}
