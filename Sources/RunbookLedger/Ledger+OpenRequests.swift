import PostgresNIO
public import RunbookCore

extension Ledger {
    /// The decisions on each of `requestIDs` (as ``decisions(_:)``) and the ids `approval_uses`
    /// has, in two queries: what the approvals page needs of every open request.
    public func decisionsAndUses(of requestIDs: [String]) async throws(LedgerError) -> (decisions: [String: [ApprovalDecision]], used: Set<String>) {
        guard !requestIDs.isEmpty else { return ([:], []) }
        return try await run("reading approval decisions") {
            let rows = try await connection.query("""
                SELECT request_id, approver, decision, coalesce(comment, ''), extract(epoch FROM decided_at)::bigint, signature, via, signer
                  FROM runbook.approval_decisions WHERE request_id = ANY(\(requestIDs)::text[]) ORDER BY decided_at, approver
                """, logger: Self.logger)
            var decisions: [String: [ApprovalDecision]] = [:]
            for try await row in rows {
                let c = try row.decode((String, String, String, String, Int, String, String, String?).self)
                // As decisions(_:): an unknown `via` counts as the console's.
                decisions[c.0, default: []].append(ApprovalDecision(requestID: c.0, approver: c.1, verdict: ApprovalDecision.Verdict(rawValue: c.2) ?? .denied,
                                                                    comment: c.3, decidedAt: c.4, signature: c.5,
                                                                    via: ApprovalDecision.Via(rawValue: c.6) ?? .console, signer: c.7))
            }
            var used = Set<String>()
            for try await id in try await connection.query("SELECT request_id FROM runbook.approval_uses WHERE request_id = ANY(\(requestIDs)::text[])",
                                                           logger: Self.logger).decode(String.self) { used.insert(id) }
            return (decisions, used)
        }
    }
}
