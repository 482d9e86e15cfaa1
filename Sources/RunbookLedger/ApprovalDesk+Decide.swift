public import RunbookCore
public import RunbookDrivers

extension ApprovalDesk {
    /// Why a decision was not recorded: nothing was written.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        /// What kind of refusal, for the caller's exit code or HTTP status.
        public enum Kind: Sendable, Hashable {
            /// The ledger has no such request, or it is for another environment.
            case unknown
            /// This person may not decide: their own request, not an approver, or console
            /// decisions that the policy does not count (a 403 in the console).
            case forbidden
            /// The request cannot take a decision now: already decided by them, expired,
            /// denied, used, stale, or a signature that does not verify (a 409 in the console).
            case conflict
            /// The decision could not be signed.
            case signing
        }

        /// The kind.
        public var kind: Kind
        /// What to tell the person, without "error:".
        public var message: String

        /// A refusal.
        public init(_ kind: Kind, _ message: String) {
            self.kind = kind
            self.message = message
        }

        public var description: String { message }
    }

    /// What a recorded decision did to the request.
    public enum Outcome: Sendable {
        /// Denied: the action will not run under it.
        case denied
        /// Enough approvals now: these (the request is now `approved`).
        case approved([ApprovalDecision])
        /// Recorded; `have` of `need` so far.
        case pending(have: Int, need: Int)
        /// Recorded (the request was in another state).
        case recorded
    }

    /// Records `principal`'s `verdict` on `loaded` (as ``load(_:)`` returned it, for environment
    /// `environment`): refused (nothing written) for their own request, someone the policy does
    /// not name, a second decision, a request that is closed, or, `via` the console, a policy
    /// that does not count the console; otherwise the decision is signed by `sign` (the
    /// approver's key at a terminal, the console's key in the console) and written. The one
    /// place where `runbook approve`, `runbook deny` and the console decide.
    public func decide(_ loaded: Loaded, environment: String, by principal: String, verdict: ApprovalDecision.Verdict, comment: String,
                       via: ApprovalDecision.Via = .cli, signer: String? = nil, now: Int = ApprovalDesk.now(),
                       sign: (String) async throws(IdentityError) -> String) async throws -> Outcome
    {
        let request = loaded.request
        guard request.environment == environment else {
            throw Refusal(.unknown, "\(request.id) is for environment '\(request.environment)': use --env \(request.environment)")
        }
        if via == .console {
            guard let console = policy.console, console == signer else {
                throw Refusal(.forbidden, "environment '\(environment)' does not count approvals made in the console (approvals: {console: PRINCIPAL} names the console's key); use runbook \(verdict == .approved ? "approve" : "deny") \(request.id) --env \(environment)")
            }
            if principal == console {
                throw Refusal(.forbidden, "\(principal) is the console's own principal: a person must decide")
            }
        }
        if let why = ApprovalTally.refusal(of: principal, on: request, loaded.decisions, policy: policy, now: now) {
            let forbidden = principal == request.requester || !policy.allows(principal)
            throw Refusal(forbidden ? .forbidden : .conflict, why)
        }
        var decision = ApprovalDecision(requestID: request.id, approver: principal, verdict: verdict, comment: comment, decidedAt: now,
                                        via: via, signer: via == .console ? signer : nil)
        do { decision.signature = try await sign(decision.signedText(digest: request.digest)) } catch {
            throw Refusal(.signing, "cannot sign the decision: \(error.message)")
        }
        guard try await ledger.insert(decision: decision) else {
            throw Refusal(.conflict, "\(principal) has already decided on \(request.id): the same person counts once towards \(request.required)")
        }
        if verdict == .denied {
            try await ledger.setStatus(request.id, to: .denied, from: [.pending, .approved])
            return .denied
        }
        let after = try await check(try await ledger.request(request.id) ?? request)
        switch after.standing(policy: policy) {
        case .approved(let yes):
            try await ledger.setStatus(request.id, to: .approved, from: [.pending])
            return .approved(yes)
        case .pending(let have, let need):
            return .pending(have: have, need: need)
        default:
            return .recorded
        }
    }
}
