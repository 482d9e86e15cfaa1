import Foundation
public import RunbookCore
public import RunbookDrivers

/// The run's four-eyes gate over the team's ledger.
///
/// * No request to resume for this action: signs and stores a new request (the plan, its
///   digest, who asks, when it expires), says its id and the exact commands to approve and to
///   resume, and stops the run at the gate (or, with a wait, waits for the decision: woken by
///   the ledger's notification, ``ApprovalWakeups``).
/// * Resuming request `R` for this action: checks every signature and the policy, then compares
///   the digest approved with the digest of the plan now: equal, the action starts, and its
///   start record and the request's use are written in one transaction of the ledger; different, the request is stale and the run stops with what changed.
public final class LedgerApprovalGate: ApprovalGate, @unchecked Sendable {
    /// Where the ledger is.
    let url: String
    let policy: ApprovalPolicy
    let allowedSigners: String
    /// The requester's key: signs the request (on the runner: the runner's key).
    let key: String
    /// On the runner: the runner's principal, whose key signs requests on behalf of the
    /// requester it verified; nil when the requester's own key signs.
    let signedBy: String?
    let keygen: SSHKeygen
    /// `--resume`: the request this run continues.
    let resume: String?
    /// `--wait-approval`: how long to wait for approvers before stopping at the gate.
    let wait: Duration?
    /// While waiting: how often the request is read again even without a notification (one
    /// may be missed: the listening connection dropped and came back).
    let recheck: Duration
    /// Says what the operator must know (the request id, the approve command).
    let say: @Sendable (String) -> Void
    /// How the commands printed name the project (`--dir ...`), when not the default.
    let commandSuffix: String
    /// A scheduled run (`--scheduled`): a standing approval may pass its gates.
    let scheduled: Bool

    private let lock = NSLock()
    private var approvedWhileWaitingID: String?

    /// A gate for one run.
    public init(url: String, policy: ApprovalPolicy, allowedSigners: String, key: String, signedBy: String? = nil, keygen: SSHKeygen = SSHKeygen(),
                resume: String?, wait: Duration?, recheck: Duration = .seconds(30), scheduled: Bool = false, commandSuffix: String = "",
                say: @escaping @Sendable (String) -> Void)
    {
        self.scheduled = scheduled
        self.url = url
        self.policy = policy
        self.allowedSigners = allowedSigners
        self.key = key
        self.signedBy = signedBy
        self.keygen = keygen
        self.resume = resume
        self.wait = wait
        self.recheck = recheck
        self.commandSuffix = commandSuffix
        self.say = say
    }

    /// The request approved while this run waited for it: the run stopped at the gate, and the
    /// caller runs again resuming it (the checks run again and the digest is compared).
    public var approvedWhileWaiting: String? { lock.withLock { approvedWhileWaitingID } }

    public func decide(_ plan: ApprovalPlan, runID: String, requester: String) async -> ApprovalVerdict {
        let ledger: Ledger
        do {
            ledger = try await Ledger.connect(url: url)
        } catch {
            return .unavailable("the approvals ledger cannot be used: \(error.message)")
        }
        let verdict: ApprovalVerdict
        do {
            try await ledger.requireCurrentSchema()
            let desk = ApprovalDesk(ledger: ledger, allowedSigners: allowedSigners, policy: policy, keygen: keygen, onBehalfSigner: signedBy)
            if let resume, let loaded = try await desk.load(resume), loaded.request.action == plan.action,
               loaded.request.runbook == plan.runbook, loaded.request.environment == plan.environment
            {
                verdict = try await resumed(loaded, plan: plan, runID: runID, requester: requester, desk: desk)
            } else if scheduled, let grant = try await standing(plan, desk: desk) {
                verdict = .approved(grant)
            } else {
                verdict = try await ask(plan, runID: runID, requester: requester, desk: desk)
            }
        } catch {
            verdict = .unavailable("the approvals ledger cannot be used: \(error.message)")
        }
        await ledger.close()
        return verdict
    }

    /// The commands that approve and resume `id`.
    public func instructions(_ id: String, plan: ApprovalPlan) -> String {
        "  approve: runbook approve \(id) --env \(plan.environment)\(commandSuffix)\n"
            + "  deny:    runbook deny \(id) --env \(plan.environment) --reason TEXT\(commandSuffix)\n"
            + "  then:    runbook run \(plan.runbook) --env \(plan.environment) --resume \(id)\(commandSuffix)"
    }

    private func ask(_ plan: ApprovalPlan, runID: String, requester: String, desk: ApprovalDesk) async throws(LedgerError) -> ApprovalVerdict {
        let now = ApprovalDesk.now()
        let expires = now + max(1, Int(policy.expires.components.seconds))
        var request = ApprovalRequest(id: ApprovalRequest.newID(), runID: runID, runbook: plan.runbook, environment: plan.environment,
                                      action: plan.action, risk: plan.risk, requester: requester, digest: plan.digest, plan: plan.json,
                                      required: plan.required, createdAt: now, expiresAt: expires)
        do { request.signature = try await keygen.sign(message: Array(request.signedText.utf8), key: key) } catch {
            return .refused(requestID: nil, message: "cannot sign the approval request: \(error.message)")
        }
        try await desk.ledger.insert(request: request)
        let need = plan.required == 1 ? "1 approval" : "\(plan.required) approvals"
        say("approval needed: '\(plan.action)' (\(plan.risk.rawValue) risk) needs \(need) by someone other than \(requester): "
            + "request \(request.id), plan \(plan.digest.prefix(19))…, expires \(ApprovalRequest.time(expires))\n" + instructions(request.id, plan: plan))
        return try await waitOrStop(request.id, plan: plan, desk: desk)
    }

    /// Waits (with `--wait-approval`) for `id` to be decided; the run stops at the gate either way,
    /// and an approval while waiting is resumed by the caller (`approvedWhileWaiting`). Woken by
    /// the ledger's `NOTIFY` of a decision on `id`, and every `recheck` in case one was missed;
    /// Ctrl-C (the task cancelled) ends the wait at once, the request left open.
    private func waitOrStop(_ id: String, plan: ApprovalPlan, desk: ApprovalDesk) async throws(LedgerError) -> ApprovalVerdict {
        let pending = ApprovalVerdict.pending(requestID: id, message: "approval \(id) is pending: runbook approve \(id) --env \(plan.environment)")
        guard let wait else { return pending }
        let wakeups = ApprovalWakeups(url: url, requestID: id, recheck: recheck, deadline: ContinuousClock.now + wait)
        let waiting = "waiting up to \(DurationText.format(wait)) for approval of \(id) (Ctrl-C stops waiting; the request stays open)"
        var announced = false
        // Each wakeup reads the request; nil goes on waiting.
        let outcome: Result<ApprovalVerdict, LedgerError>? = await wakeups.run { wakeup in
            switch wakeup {
            case .listening:
                if !announced { say(waiting) }
                announced = true
            case .notListening(let why):
                say((announced ? "" : waiting + "\n") + "  the ledger's notifications are not heard (\(why)): re-reading \(id) every \(DurationText.format(recheck))")
                announced = true
            case .notified, .recheck:
                break
            case .deadline:
                return .success(.pending(requestID: id, message: "approval \(id) is still pending after \(DurationText.format(wait)): runbook approve \(id) --env \(plan.environment)"))
            }
            do throws(LedgerError) {
                return try await decided(id, desk: desk).map { .success($0) }
            } catch {
                return .failure(error)
            }
        }
        // No outcome: interrupted (Ctrl-C); the executor sees the cancellation.
        guard let outcome else { return pending }
        return try outcome.get()
    }

    /// The verdict once `id` is decided; nil while it is pending.
    private func decided(_ id: String, desk: ApprovalDesk) async throws(LedgerError) -> ApprovalVerdict? {
        guard let loaded = try await desk.load(id) else { return .refused(requestID: id, message: "the request \(id) is gone from the ledger") }
        switch loaded.standing(policy: policy) {
        case .pending:
            return nil
        case .approved(let yes):
            lock.withLock { approvedWhileWaitingID = id }
            say("approved by \(yes.map(\.approver).joined(separator: ", ")): running again to check the plan has not changed")
            return .pending(requestID: id, message: "approval \(id) was given while waiting; the run resumes it")
        case let other:
            return refusal(other, id: id)
        }
    }

    private func resumed(_ loaded: ApprovalDesk.Loaded, plan: ApprovalPlan, runID: String, requester: String,
                         desk: ApprovalDesk) async throws(LedgerError) -> ApprovalVerdict
    {
        let request = loaded.request
        guard request.requester == requester else {
            return .refused(requestID: request.id, message: "\(request.id) was asked by \(request.requester): only its requester resumes it")
        }
        switch loaded.standing(policy: policy) {
        case .pending(let have, let need):
            say("approval \(request.id) has \(have) of \(need) approvals")
            return try await waitOrStop(request.id, plan: plan, desk: desk)
        case .approved(let yes):
            guard request.digest == plan.digest else {
                try await desk.ledger.setStatus(request.id, to: .stale, from: [.pending, .approved])
                let approved = ApprovalPlan(json: request.plan)
                var diff = approved.map { ApprovalPlan.diff(approved: $0, now: plan) } ?? []
                if diff.isEmpty { diff = ["the plan digest differs (\(request.digest) approved, \(plan.digest) now)"] }
                return .stale(requestID: request.id, approvedDigest: request.digest, digest: plan.digest, diff: diff)
            }
            // Used with the action's start record, in one transaction (`ApprovalUse`), once the
            // executor writes it: a second resume, here or on another replica, is refused there.
            return .approved(ApprovalGrant(requestID: request.id, requester: request.requester, digest: request.digest,
                                           required: request.required, approvals: yes))
        case let other:
            return refusal(other, id: request.id)
        }
    }

    /// A standing approval that passes `plan` in a scheduled run: approved by two approvers of
    /// the policy (signatures checked), its plan unedited, not past its date by the ledger's
    /// clock, for this very runbook file, listing the action, each bounded value within its
    /// bound. Says why each other one of the runbook does not pass it; nil when none does.
    private func standing(_ plan: ApprovalPlan, desk: ApprovalDesk) async throws(LedgerError) -> ApprovalGrant? {
        let (requests, now) = try await desk.ledger.standingApprovals(runbook: plan.runbook, environment: plan.environment)
        for request in requests {
            let loaded = try await desk.check(request)
            guard let standing = StandingApproval(json: request.plan), standing.digest == request.digest else {
                say("standing approval \(request.id) does not pass '\(plan.action)': its stored plan does not hash to its digest (edited)")
                continue
            }
            guard standing.actions.contains(plan.action) else { continue }
            var why = standing.refusal(for: plan)
            var approvals: [ApprovalDecision] = []
            if why == nil {
                switch ApprovalTally.standing(request, loaded.decisions, policy: policy, requesterVerified: loaded.requesterVerified, now: now) {
                case .approved(let yes) where yes.count >= StandingApproval.required: approvals = yes
                case .approved(let yes): why = "\(yes.count) of \(StandingApproval.required) approvals"
                case .pending(let have, _): why = "\(have) of \(StandingApproval.required) approvals"
                case .denied(let d): why = "denied by \(d.approver)"
                case .expired(let at): why = "expired at \(ApprovalRequest.time(at))"
                case .closed(let s): why = "it is \(s.rawValue)"
                case .tampered(let t): why = t
                }
            }
            if let why {
                say("standing approval \(request.id) does not pass '\(plan.action)': \(why)")
                continue
            }
            let values: [Value] = standing.values(in: plan).map { .object([("path", .string($0.path)), ("value", $0.value)]) }
            say("'\(plan.action)' passes with standing approval \(request.id) (approved by \(approvals.map(\.approver).joined(separator: ", ")) until \(ApprovalRequest.time(standing.until)))")
            return ApprovalGrant(requestID: request.id, requester: request.requester, digest: request.digest, required: StandingApproval.required,
                                 approvals: approvals, standing: .object([("runbook_sha256", .string(plan.runbookSHA256)), ("values", .list(values))]))
        }
        return nil
    }

    private func refusal(_ standing: ApprovalTally.Standing, id: String) -> ApprovalVerdict {
        switch standing {
        case .denied(let d): .refused(requestID: id, message: "\(id) was denied by \(d.approver)\(d.comment.isEmpty ? "" : ": \(d.comment)")")
        case .expired(let at): .refused(requestID: id, message: "\(id) expired at \(ApprovalRequest.time(at)); run again to ask anew")
        case .closed(let s): .refused(requestID: id, message: "\(id) is \(s.rawValue)\(s == .used ? ": its action already ran" : ""); run again to ask anew")
        case .tampered(let why): .refused(requestID: id, message: "\(id) is refused: \(why)")
        case .pending, .approved: .refused(requestID: id, message: "\(id): internal error")
        }
    }
}
