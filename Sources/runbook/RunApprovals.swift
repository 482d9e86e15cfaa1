import ArgumentParser
import Foundation
import RunbookCore
import RunbookDrivers
import RunbookLedger

/// What a live run needs for four-eyes approvals (issue 11), resolved before anything runs:
/// the actions that need approvals, the ledger that keeps requests, and, with `--resume`, the
/// request checked (exit 2 refused, 3 still awaiting; nothing run either way).
struct RunApprovals {
    /// Actions needing approvals, by id.
    var requirements: [String: Int]
    /// Actions a resumed run skips: done before the request.
    var alreadyDone: [String: String]
    /// How a gate is made for a run resuming `resume` (nil: none).
    var makeGate: @Sendable (_ resume: String?) -> LedgerApprovalGate

    /// Nil when the environment has no policy, the run is a dry run, or no action needs approval
    /// (then `--resume` is refused). Prints and exits on a refusal.
    static func resolve(environment env: Environment, runbook: Runbook, home: URL, dryRun: Bool, identity: RunIdentity, resume: String?,
                        wait: Duration?, directoryFlag: String?, redactor: Redactor, json: Bool) async throws -> RunApprovals?
    {
        let requirements = env.approvalPolicy.map { $0.requirements(of: runbook) } ?? [:]
        guard let policy = env.approvalPolicy, !dryRun, !requirements.isEmpty else {
            if let resume {
                printError("error: --resume \(resume): \(dryRun ? "a dry run performs no action, so it resumes no approval" : "no action of \(runbook.id) needs approval in environment '\(env.name)'"); nothing was run")
                throw ExitCode(2)
            }
            return nil
        }
        guard let url = env.ledgerURL else {
            printError("error: environment '\(env.name)' requires approvals for \(requirements.keys.sorted().joined(separator: ", ")) but names no ledger to keep them (ledger: {url: ...}); nothing was run")
            throw ExitCode(2)
        }
        guard identity.principal != nil, let key = identity.signer?.key, let signers = env.allowedSignersURL(home: home)?.path else {
            printError("error: environment '\(env.name)' requires approvals: a live run needs your SSH key (--key or RUNBOOK_SIGNING_KEY) to sign its requests; nothing was run")
            throw ExitCode(2)
        }
        let suffix = directoryFlag.map { " --dir \($0)" } ?? ""
        let makeGate: @Sendable (String?) -> LedgerApprovalGate = { resume in
            // What the operator must do next; on standard error with --format json, whose
            // standard output is the report alone.
            LedgerApprovalGate(url: url, policy: policy, allowedSigners: signers, key: key, resume: resume, wait: wait, commandSuffix: suffix) { text in
                let line = redactor.redact(text) + "\n"
                if json { StandardStreams.err(line) } else { StandardStreams.out(line) }
            }
        }
        var alreadyDone: [String: String] = [:]
        if let resume {
            alreadyDone = try await check(resume: resume, env: env, runbook: runbook, policy: policy, url: url, signers: signers, wait: wait, redactor: redactor)
        }
        return RunApprovals(requirements: requirements, alreadyDone: alreadyDone, makeGate: makeGate)
    }

    /// Checks `--resume ID` before anything runs: the request exists, is for this runbook and
    /// environment, is signed, not denied, expired, used or stale, and (unless the run waits) has
    /// its approvals. Returns the actions done before it.
    static func check(resume: String, env: Environment, runbook: Runbook, policy: ApprovalPolicy, url: String, signers: String,
                      wait: Duration?, redactor: Redactor) async throws -> [String: String]
    {
        guard ApprovalRequest.isValidID(resume) else {
            printError("error: --resume takes a request id such as apr-0123456789, got '\(resume)'; nothing was run")
            throw ExitCode(2)
        }
        let ledger: Ledger
        do { ledger = try await Ledger.connect(url: url) } catch {
            printError("error: \(redactor.redact(error.message)); nothing was run")
            throw ExitCode(4)
        }
        let loaded: ApprovalDesk.Loaded?
        do {
            try await ledger.requireCurrentSchema()
            loaded = try await ApprovalDesk(ledger: ledger, allowedSigners: signers, policy: policy).load(resume)
        } catch {
            await ledger.close()
            throw exitLedgerError(error, redactor: redactor)
        }
        await ledger.close()
        guard let loaded else {
            printError("error: the ledger of '\(env.name)' has no approval request \(resume); nothing was run")
            throw ExitCode(2)
        }
        let request = loaded.request
        guard request.runbook == runbook.id, request.environment == env.name else {
            printError("error: \(resume) asks to run '\(request.action)' of \(request.runbook) in \(request.environment), not \(runbook.id) in \(env.name); nothing was run")
            throw ExitCode(2)
        }
        switch loaded.standing(policy: policy) {
        case .approved: break
        case .pending(let have, let need):
            if wait == nil {
                printError("error: \(resume) still awaits approval (\(have) of \(need)): runbook approve \(resume) --env \(env.name); nothing was run")
                throw ExitCode(3)
            }
        case .denied(let d):
            printError("error: \(resume) was denied by \(d.approver)\(d.comment.isEmpty ? "" : ": \(d.comment)"); nothing was run")
            throw ExitCode(2)
        case .expired(let at):
            printError("error: \(resume) expired at \(ApprovalRequest.time(at)); run again without --resume to ask anew; nothing was run")
            throw ExitCode(2)
        case .closed(let status):
            printError("error: \(resume) is \(status.rawValue)\(status == .used ? " (its action already ran)" : " (the plan changed since approval)"); run again without --resume to ask anew; nothing was run")
            throw ExitCode(2)
        case .tampered(let why):
            printError("error: \(resume) is refused: \(why); nothing was run")
            throw ExitCode(2)
        }
        let done = ApprovalPlan(json: request.plan)?.alreadyDone ?? []
        return Dictionary(uniqueKeysWithValues: done.map { ($0, "done before approval request \(resume) (run \(request.runID) or earlier)") })
    }
}
