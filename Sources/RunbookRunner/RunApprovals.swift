import Foundation
public import RunbookCore
import RunbookDrivers
public import RunbookLedger

/// What a live run needs for four-eyes approvals (issue 11), resolved before anything runs:
/// the actions that need approvals, the ledger that keeps requests, and, with `--resume`, the
/// request checked (2 refused, 3 still awaiting; nothing run either way).
public struct RunApprovals: Sendable {
    /// Actions needing approvals, by id.
    public var requirements: [String: Int]
    /// Actions a resumed run skips: done before the request.
    public var alreadyDone: [String: String]
    /// How a gate is made for a run resuming `resume` (nil: none).
    public var makeGate: @Sendable (_ resume: String?) -> LedgerApprovalGate

    /// Nil when the environment has no policy, the run is a dry run, or no action needs approval
    /// (then `--resume` is refused). Says why and throws on a refusal.
    static func resolve(environment env: Environment, runbook: Runbook, home: URL, dryRun: Bool, scheduled: Bool, identity: RunIdentity, resume: String?,
                        wait: Duration?, directoryFlag: String?, redactor: Redactor, json: Bool,
                        output: RunOutput) async throws(RunSessionError) -> RunApprovals?
    {
        let requirements = env.approvalPolicy.map { $0.requirements(of: runbook) } ?? [:]
        guard let policy = env.approvalPolicy, !dryRun, !requirements.isEmpty else {
            if let resume {
                output.line("error: --resume \(resume): \(dryRun ? "a dry run performs no action, so it resumes no approval" : "no action of \(runbook.id) needs approval in environment '\(env.name)'"); nothing was run")
                throw .invalid
            }
            return nil
        }
        guard let url = env.ledgerURL else {
            output.line("error: environment '\(env.name)' requires approvals for \(requirements.keys.sorted().joined(separator: ", ")) but names no ledger to keep them (ledger: {url: ...}); nothing was run")
            throw .invalid
        }
        guard let requester = identity.principal, let key = identity.signer?.key, let signers = env.allowedSignersURL(home: home)?.path else {
            output.line("error: environment '\(env.name)' requires approvals: a live run needs your SSH key (--key or RUNBOOK_SIGNING_KEY) to sign its requests; nothing was run")
            throw .invalid
        }
        // On the runner, requests are signed by the runner's key on behalf of the principal it verified.
        let onBehalf = identity.signer?.principal == requester ? nil : identity.signer?.principal
        let suffix = directoryFlag.map { " --dir \($0)" } ?? ""
        let makeGate: @Sendable (String?) -> LedgerApprovalGate = { resume in
            // What the operator must do next; on standard error with --format json, whose
            // standard output is the report alone.
            LedgerApprovalGate(url: url, policy: policy, allowedSigners: signers, key: key, signedBy: onBehalf, resume: resume, wait: wait,
                               scheduled: scheduled, commandSuffix: suffix) { text in
                let line = redactor.redact(text) + "\n"
                if json { output.err(line) } else { output.out(line) }
            }
        }
        var alreadyDone: [String: String] = [:]
        if let resume {
            alreadyDone = try await check(resume: resume, env: env, runbook: runbook, policy: policy, url: url, signers: signers,
                                          signedBy: onBehalf, requester: requester, wait: wait, redactor: redactor, output: output)
        }
        return RunApprovals(requirements: requirements, alreadyDone: alreadyDone, makeGate: makeGate)
    }

    /// Checks `--resume ID` before anything runs: the request exists, is for this runbook and
    /// environment, was asked by this requester, is signed, not denied, expired, used or stale,
    /// and (unless the run waits) has its approvals. Returns the actions done before it.
    static func check(resume: String, env: Environment, runbook: Runbook, policy: ApprovalPolicy, url: String, signers: String,
                      signedBy: String?, requester: String, wait: Duration?, redactor: Redactor,
                      output: RunOutput) async throws(RunSessionError) -> [String: String]
    {
        guard ApprovalRequest.isValidID(resume) else {
            output.line("error: --resume takes a request id such as apr-0123456789, got '\(resume)'; nothing was run")
            throw .invalid
        }
        let ledger: Ledger
        do { ledger = try await Ledger.connect(url: url) } catch {
            output.line("error: \(redactor.redact(error.message)); nothing was run")
            throw .unreachable
        }
        let loaded: ApprovalDesk.Loaded?
        do {
            try await ledger.requireCurrentSchema()
            loaded = try await ApprovalDesk(ledger: ledger, allowedSigners: signers, policy: policy, onBehalfSigner: signedBy).load(resume)
        } catch {
            await ledger.close()
            throw ledgerFailure(error, redactor: redactor, output: output)
        }
        await ledger.close()
        guard let loaded else {
            output.line("error: the ledger of '\(env.name)' has no approval request \(resume); nothing was run")
            throw .invalid
        }
        let request = loaded.request
        guard request.runbook == runbook.id, request.environment == env.name else {
            output.line("error: \(resume) asks to run '\(request.action)' of \(request.runbook) in \(request.environment), not \(runbook.id) in \(env.name); nothing was run")
            throw .invalid
        }
        guard request.requester == requester else {
            output.line("error: \(resume) was asked by \(request.requester): only its requester resumes it (you are \(requester)); nothing was run")
            throw .invalid
        }
        switch loaded.standing(policy: policy) {
        case .approved: break
        case .pending(let have, let need):
            if wait == nil {
                output.line("error: \(resume) still awaits approval (\(have) of \(need)): runbook approve \(resume) --env \(env.name); nothing was run")
                throw .awaiting
            }
        case .denied(let d):
            output.line("error: \(resume) was denied by \(d.approver)\(d.comment.isEmpty ? "" : ": \(d.comment)"); nothing was run")
            throw .invalid
        case .expired(let at):
            output.line("error: \(resume) expired at \(ApprovalRequest.time(at)); run again without --resume to ask anew; nothing was run")
            throw .invalid
        case .closed(let status):
            output.line("error: \(resume) is \(status.rawValue)\(status == .used ? " (its action already ran)" : " (the plan changed since approval)"); run again without --resume to ask anew; nothing was run")
            throw .invalid
        case .tampered(let why):
            output.line("error: \(resume) is refused: \(why); nothing was run")
            throw .invalid
        }
        let done = ApprovalPlan(json: request.plan)?.alreadyDone ?? []
        return Dictionary(uniqueKeysWithValues: done.map { ($0, "done before approval request \(resume) (run \(request.runID) or earlier)") })
    }
}

/// Says a ledger error (redacted) and returns its code: 2 for what the user must fix in files
/// or the schema, 4 for a ledger that cannot be used now.
public func ledgerFailure(_ error: LedgerError, redactor: Redactor, output: RunOutput) -> RunSessionError {
    output.line("error: \(redactor.redact(error.message))")
    switch error.code {
    case .configuration, .noSchema, .newerSchema: return .invalid
    default: return .unreachable
    }
}
