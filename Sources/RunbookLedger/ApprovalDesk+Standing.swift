public import RunbookCore
public import RunbookDrivers

extension ApprovalDesk {
    /// Records a standing approval asked by `requester`, signed with `key` (the requester's, or
    /// the runner's on their behalf): a request whose plan is `standing`, pending until two
    /// approvers of the policy approve it with `runbook approve`, expiring at its date. The one
    /// place where the CLI and the runner ask for one.
    public func requestStanding(_ standing: StandingApproval, requester: String, key: String,
                                now: Int = ApprovalDesk.now()) async throws(LedgerError) -> Result<ApprovalRequest, IdentityError>
    {
        var request = ApprovalRequest(id: ApprovalRequest.newID(), runID: StandingApproval.runID, runbook: standing.runbook,
                                      environment: standing.environment, action: "standing: " + standing.actions.joined(separator: ","),
                                      risk: .high, requester: requester, digest: standing.digest, plan: standing.json,
                                      required: StandingApproval.required, createdAt: now, expiresAt: standing.until)
        do { request.signature = try await keygen.sign(message: Array(request.signedText.utf8), key: key) } catch { return .failure(error) }
        try await ledger.insert(request: request)
        return .success(request)
    }
}
