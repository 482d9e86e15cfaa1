public import RunbookCore
import RunbookDrivers

/// `audit verify --ledger`, as one value: every chain of the ledger (``LedgerVerifier``), every
/// checkpoint's signature, every approval request's and decision's signature and digest, and
/// the lines that say so. `runbook audit verify --ledger` prints the lines; the console's
/// `/audit` page shows them.
public struct LedgerAudit: Sendable {
    /// One finding or summary line (`TAMPERED: ...`, `pending: ...`, `intact: ...`).
    public struct Line: Sendable, Hashable {
        /// `tampered`, `unenforced`, `pending`, `intact`, `note` or `policy`.
        public var kind: String
        /// The whole line as the CLI prints it.
        public var text: String
    }

    /// The lines, in the order the CLI prints them.
    public var lines: [Line]
    /// Whether nothing was found tampered.
    public var intact: Bool
    /// The chains' report (records, runs, checkpoints).
    public var report: LedgerVerifier.Report

    /// Verifies `ledger` (named `name` in the lines); `localPath`: the local log to compare
    /// (nil: the ledger alone); `allowedSigners`: checks checkpoint and approval signatures
    /// (nil: not checked, said so); `runnerPrincipal`: the environment has a runner, whose key
    /// must have signed the checkpoint of every live run of `environment` (else `unenforced`).
    ///
    /// Besides the chains: the derived `runs` rows against their records, each approval
    /// request used once and recorded as used; and each policy change of `environment` (a
    /// runner started with another digest of its files than the start before: when, which
    /// replica and principal, which files), as `policy` lines that do not change the verdict.
    public static func verify(_ ledger: Ledger, name: String, localPath: String?, localIntact: Bool, allowedSigners: String?,
                              policy: ApprovalPolicy, environment: String, runnerPrincipal: String? = nil) async throws(LedgerError) -> LedgerAudit
    {
        let report = try await LedgerVerifier(ledger: ledger, localPath: localPath, localIntact: localIntact).verify()
        let derived = try await ledger.derivedRunMismatches()
        let uses = try await ledger.approvalUseProblems()
        let policies = PolicyChange.changes(try await ledger.runnerPolicies(environment: environment))
        var unenforced: [(runID: String, operator: String)] = []
        if let runnerPrincipal { unenforced = try await ledger.unenforcedRuns(environment: environment, principal: runnerPrincipal) }
        var approvals: (problems: [String], requests: Int, signatures: Int)?
        var standing: (problems: [String], gates: Int) = ([], 0)
        if let allowedSigners {
            approvals = try await verifyApprovals(ledger, allowedSigners: allowedSigners, policy: policy, runnerPrincipal: runnerPrincipal)
            standing = try await verifyStanding(ledger, allowedSigners: allowedSigners, policy: policy, runnerPrincipal: runnerPrincipal)
        }
        var lines: [Line] = []
        for problem in report.problems { lines.append(Line(kind: "tampered", text: "TAMPERED: \(name): \(problem)")) }
        if report.problems.count == LedgerVerifier.maxProblems {
            lines.append(Line(kind: "note", text: "(only the first \(LedgerVerifier.maxProblems) findings are shown)"))
        }
        // Every checkpoint in the ledger must be signed by an allowed signer.
        var forged = 0
        if let allowedSigners {
            for c in report.checkpoints {
                do { try await Checkpoint.verify(c, allowedSigners: allowedSigners) } catch {
                    forged += 1
                    lines.append(Line(kind: "tampered", text: "TAMPERED: \(name): source \(c.source.prefix(12)), seq \(c.seq)\(c.runID.map { " (run \($0))" } ?? ""): the checkpoint said to be signed by \(c.principal) does not verify: \(error.message)"))
                }
            }
        }
        if let pending = report.pending, let localPath {
            lines.append(Line(kind: "pending", text: "pending: \(localPath): \(pending.count) record\(pending.count == 1 ? "" : "s") (seq \(pending.first)–\(pending.first + pending.count - 1)) not in the ledger yet: `runbook audit sync --env \(environment)` sends them; not tampering"))
        }
        for problem in (approvals?.problems ?? []) + standing.problems { lines.append(Line(kind: "tampered", text: "TAMPERED: \(name): \(problem)")) }
        for d in derived {
            lines.append(Line(kind: "tampered", text: "TAMPERED: \(name): run \(d.runID): runbook.runs says \(d.difference) (a derived row was edited)"))
        }
        for problem in uses { lines.append(Line(kind: "tampered", text: "TAMPERED: \(name): \(problem)")) }
        for u in unenforced {
            lines.append(Line(kind: "unenforced", text: "UNENFORCED: \(name): live run \(u.runID) of \(environment) by \(u.operator) carries no checkpoint signed by the runner (\(runnerPrincipal ?? "?")): it did not go through the runner"))
        }
        if let approvals, approvals.problems.isEmpty, approvals.requests > 0 {
            lines.append(Line(kind: "intact", text: "intact: \(name): \(approvals.requests) approval request\(approvals.requests == 1 ? "" : "s"), \(approvals.signatures) signatures of requesters and approvers verified"))
        }
        if standing.problems.isEmpty, standing.gates > 0 {
            lines.append(Line(kind: "intact", text: "intact: \(name): \(standing.gates) gate\(standing.gates == 1 ? "" : "s") of scheduled runs passed with valid standing approvals (two approvers, the runbook's digest, the bounds and the date)"))
        }
        let intact = report.intact && forged == 0 && (approvals?.problems.isEmpty ?? true) && standing.problems.isEmpty && derived.isEmpty
            && uses.isEmpty && unenforced.isEmpty
        if intact {
            var line = "intact: \(name): \(report.records) records of \(report.sources) log\(report.sources == 1 ? "" : "s"), \(report.runs) runs, chains verified"
            if report.localSource != nil { line += "; \(report.localCompared) records match the local log" }
            line += "; \(report.checkpointsMatched) of \(report.checkpoints.count) checkpoints match their records"
            line += allowedSigners == nil ? " (signatures not checked: no allowed_signers)" : ", signatures verified"
            line += "; runs match their records"
            if let runnerPrincipal { line += "; every live run of \(environment) went through the runner (\(runnerPrincipal))" }
            lines.append(Line(kind: "intact", text: line))
        }
        for change in policies { lines.append(Line(kind: "policy", text: change.text)) }
        return LedgerAudit(lines: lines, intact: intact, report: report)
    }

    /// Checks every gate a standing approval passed (``StandingApproval``): the approval is in
    /// the ledger, its plan hashes to the digest its approvers signed, two approvers of the
    /// policy (signatures verified) approved it, the run's runbook file is the one approved, the
    /// action is listed, the gate passed before its date, and each value read was within its
    /// bound.
    public static func verifyStanding(_ ledger: Ledger, allowedSigners: String, policy: ApprovalPolicy,
                                      runnerPrincipal: String? = nil) async throws(LedgerError) -> (problems: [String], gates: Int)
    {
        let desk = ApprovalDesk(ledger: ledger, allowedSigners: allowedSigners, policy: policy, onBehalfSigner: runnerPrincipal)
        var problems: [String] = []
        let gates = try await ledger.standingGates()
        for gate in gates {
            let why: String?
            if let request = try await ledger.request(gate.requestID) {
                let loaded = try await desk.check(request)
                let approvers = ApprovalTally.counted(request, loaded.decisions, policy: policy)
                if request.runID != StandingApproval.runID {
                    why = "it is not a standing approval"
                } else if let standing = StandingApproval(json: request.plan) {
                    why = standing.digest != request.digest ? "its stored plan no longer hashes to the digest its approvers signed (edited)"
                        : !loaded.requesterVerified ? "its request's signature does not verify"
                        : approvers.count < StandingApproval.required ? "\(approvers.count) valid approval\(approvers.count == 1 ? "" : "s") of \(StandingApproval.required) by approvers of the policy"
                        : gate.runbookSHA256 != standing.runbookSHA256 ? "the run's runbook (sha256 \(gate.runbookSHA256.prefix(12))…) is not the one approved (\(standing.runbookSHA256.prefix(12))…)"
                        : !standing.actions.contains(gate.step) ? "it does not list '\(gate.step)'"
                        : gate.at >= request.expiresAt ? "the gate passed at \(ApprovalRequest.time(gate.at)), after its date \(ApprovalRequest.time(request.expiresAt))"
                        : standing.refusal(recorded: gate.values)
                } else {
                    why = "its stored plan is not a standing approval"
                }
            } else {
                why = "the ledger has no such request"
            }
            if let why {
                problems.append("run \(gate.runID): '\(gate.step)' passed its gate with standing approval \(gate.requestID), which did not cover it: \(why)")
            }
        }
        return (problems, gates.count)
    }

    /// Checks every request of the ledger: the requester's signature, each decision's signature,
    /// and that the stored plan still hashes to the digest that was signed.
    /// `runnerPrincipal`: requests the runner signed on its requesters' behalf verify too.
    public static func verifyApprovals(_ ledger: Ledger, allowedSigners: String, policy: ApprovalPolicy,
                                       runnerPrincipal: String? = nil) async throws(LedgerError) -> (problems: [String], requests: Int, signatures: Int)
    {
        let desk = ApprovalDesk(ledger: ledger, allowedSigners: allowedSigners, policy: policy, onBehalfSigner: runnerPrincipal)
        var problems: [String] = []
        var signatures = 0
        let requests = try await ledger.requests(environment: nil, open: false, limit: 100_000)
        for request in requests {
            let loaded = try await desk.check(request)
            if let why = loaded.requesterProblem {
                problems.append("approval request \(request.id) (run \(request.runID)): the request signed by \(request.requester) does not verify (row edited?): \(why)")
            } else {
                signatures += 1
            }
            for d in loaded.decisions {
                if d.verified { signatures += 1 } else {
                    problems.append("approval request \(request.id) (run \(request.runID)): the \(d.decision.verdict.rawValue) decision by \(d.decision.approver) does not verify (row edited or forged)")
                }
            }
            if let standing = StandingApproval(json: request.plan), standing.digest != request.digest {
                problems.append("standing approval \(request.id): the stored plan no longer hashes to its digest \(request.digest) (actions, bounds or date edited)")
            }
            if let plan = ApprovalPlan(json: request.plan), plan.digest != request.digest {
                problems.append("approval request \(request.id) (run \(request.runID)): the stored plan no longer hashes to its digest \(request.digest) (plan edited)")
            }
        }
        return (problems, requests.count, signatures)
    }
}
