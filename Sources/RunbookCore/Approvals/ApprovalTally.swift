/// Decides, without I/O, where a request stands and whether a principal may decide on it:
/// the rules of four-eyes approvals in one place, for the run's gate, `approve`, `deny` and
/// `audit verify`. Signatures are checked by the caller (`ssh-keygen -Y verify`) and passed in.
public enum ApprovalTally {
    /// Where a request stands now.
    public enum Standing: Sendable, Hashable {
        /// Enough distinct, valid approvals: these.
        case approved([ApprovalDecision])
        /// Not yet: `have` of `need`.
        case pending(have: Int, need: Int)
        /// Someone said no.
        case denied(ApprovalDecision)
        /// Past its `expires_at` before it was used.
        case expired(at: Int)
        /// Used by a run, or voided by drift: closed for good.
        case closed(ApprovalRequest.Status)
        /// A decision whose signature does not verify (a row edited in the ledger, or forged):
        /// nothing passes until it is explained.
        case tampered(String)
    }

    /// A decision and whether its signature verified against the allowed signers.
    public typealias Checked = (decision: ApprovalDecision, verified: Bool)

    /// The approvals that count towards `request.required`: verified, approving, by a
    /// principal the policy allows who is not the requester, each principal once.
    public static func counted(_ request: ApprovalRequest, _ decisions: [Checked], policy: ApprovalPolicy) -> [ApprovalDecision] {
        var seen = Set<String>()
        return decisions.filter { d in
            d.verified && d.decision.verdict == .approved && d.decision.approver != request.requester
                && policy.allows(d.decision.approver) && policy.accepts(d.decision) && seen.insert(d.decision.approver).inserted
        }.map(\.decision)
    }

    /// Where `request` stands at `now` (seconds since 1970), given its decisions.
    public static func standing(_ request: ApprovalRequest, _ decisions: [Checked], policy: ApprovalPolicy, requesterVerified: Bool = true, now: Int) -> Standing {
        if !requesterVerified {
            return .tampered("the request's signature by \(request.requester) does not verify: the request row was edited or forged")
        }
        if let bad = decisions.first(where: { !$0.verified }) {
            return .tampered("the \(bad.decision.verdict.rawValue == "approved" ? "approval" : "denial") by \(bad.decision.approver) does not verify: the decision row was edited or forged")
        }
        if let no = decisions.first(where: { $0.decision.verdict == .denied && $0.decision.approver != request.requester }) { return .denied(no.decision) }
        switch request.status {
        case .used, .stale, .denied: return .closed(request.status)
        default: break
        }
        if now >= request.expiresAt { return .expired(at: request.expiresAt) }
        let yes = counted(request, decisions, policy: policy)
        return yes.count >= request.required ? .approved(Array(yes.prefix(max(request.required, yes.count)))) : .pending(have: yes.count, need: request.required)
    }

    /// Why `principal` may not decide on `request` now; nil when they may.
    public static func refusal(of principal: String, on request: ApprovalRequest, _ decisions: [Checked], policy: ApprovalPolicy, now: Int) -> String? {
        if principal == request.requester {
            return "\(principal) asked for \(request.id): nobody approves their own request (four eyes: a second person must)"
        }
        if !policy.allows(principal) {
            return "\(principal) is not an approver in environment '\(request.environment)' (approvals.approvers: \(policy.approvers.joined(separator: ", ")))"
        }
        if decisions.contains(where: { $0.decision.approver == principal }) {
            return "\(principal) has already decided on \(request.id): the same person counts once towards \(request.required)"
        }
        switch standing(request, decisions, policy: policy, now: now) {
        case .pending: return nil
        case .approved: return nil
        case .denied(let d): return "\(request.id) was denied by \(d.approver)\(d.comment.isEmpty ? "" : " (\(d.comment))")"
        case .expired(let at): return "\(request.id) expired at \(UTCTime.seconds(at)): the run must ask again"
        case .closed(let s): return "\(request.id) is \(s == .used ? "used: its action already ran" : "stale: the plan changed since approval; the run must ask again")"
        case .tampered(let why): return "\(request.id) cannot be decided on: \(why)"
        }
    }
}
