import ArgumentParser
import Foundation
import RunbookCore
import RunbookRunner
import RunbookDrivers
import RunbookLedger

/// `runbook approvals`: the four-eyes requests of an environment, from its ledger. Listing is
/// the default subcommand, so that its `--key` and `approvals standing request`'s own `--key`
/// are options of different commands (a parent's option of the same name took the child's).
struct Approvals: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals",
        abstract: "List approval requests waiting for a second person (newest first): who asked, for which action, since and until when.",
        subcommands: [List.self, ApprovalsStanding.self],
        defaultSubcommand: List.self)

    enum Format: String, ExpressibleByArgument { case text, json }
}

extension Approvals {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List approval requests (the default): who asked, for which action, since and until when.",
            discussion: "Exit 0 · 2 invalid · 4 ledger unreachable. Approvals are counted only when their signature verifies against the environment's allowed_signers.")

        @OptionGroup var options: LedgerOptions
        @Flag(name: .customLong("all"), help: "Also requests that are used, denied, stale or expired.") var all = false
        @Option(name: .customLong("format"), help: "text or json.") var format: Format = .text
        @Option(name: .customLong("key"), help: "Your SSH key (default: $RUNBOOK_SIGNING_KEY): signs the request to the environment's runner, when it names one.")
        var key: String?

        func run() async throws {
            let (ledger, env) = try await options.connect()
            let redactor = Redactor(secrets: env.secrets)
            let policy = env.approvalPolicy ?? ApprovalPolicy()
            let signers = env.allowedSignersURL(home: options.home.home)?.path
            var rows: [(ApprovalRequest, Int, ApprovalTally.Standing?)] = []
            do {
                try await ledger.requireCurrentSchema()
                let requests = try await ledger.requests(environment: env.name, open: !all)
                for r in requests {
                    if let signers {
                        let loaded = try await ApprovalDesk(ledger: ledger, allowedSigners: signers, policy: policy, onBehalfSigner: env.runnerPrincipal).check(r)
                        rows.append((r, ApprovalTally.counted(r, loaded.decisions, policy: policy).count, loaded.standing(policy: policy)))
                    } else {
                        rows.append((r, try await ledger.decisions(r.id).filter { $0.verdict == .approved }.count, nil))
                    }
                }
            } catch {
                await ledger.close()
                throw ledgerFailure(error, redactor: redactor)
            }
            await ledger.close()
            switch format {
            case .json:
                let list: [Value] = rows.map { r, have, standing in
                    var fields: [(String, Value)] = [
                        ("id", .string(r.id)), ("runbook", .string(r.runbook)), ("environment", .string(r.environment)), ("action", .string(r.action)),
                             ("risk", .string(r.risk.rawValue)), ("requester", .string(r.requester)), ("run_id", .string(r.runID)),
                             ("digest", .string(r.digest)), ("required", .int(r.required)), ("approvals", .int(have)),
                             ("status", .string(Self.status(r, standing))), ("created_at", .string(ApprovalRequest.isoTime(r.createdAt))),
                             ("expires_at", .string(ApprovalRequest.isoTime(r.expiresAt)))]
                    // A standing approval (docs/approvals.md): its runbook file, actions, bounds and date.
                    if StandingApproval(json: r.plan) != nil, let inner = r.plan["standing"] { fields.append(("standing", inner)) }
                    return .object(fields)
                }
                StandardStreams.out(JSON.encode(.list(list), pretty: true) + "\n")
            case .text:
                guard !rows.isEmpty else {
                    StandardStreams.out(all ? "no approval requests in \(env.name)\n" : "no approval request is waiting in \(env.name)\n")
                    return
                }
                var table = [["REQUEST", "RUNBOOK", "ACTION", "RISK", "REQUESTER", "APPROVALS", "ASKED (UTC)", "EXPIRES (UTC)", "STATUS"]]
                for (r, have, standing) in rows {
                    table.append([r.id, r.runbook, r.action, r.risk.rawValue, r.requester, "\(have)/\(r.required)",
                                  String(ApprovalRequest.time(r.createdAt).dropLast(4)), String(ApprovalRequest.time(r.expiresAt).dropLast(4)), Self.status(r, standing)])
                }
                StandardStreams.out(TextTable.render(table))
            }
        }

        static func status(_ r: ApprovalRequest, _ standing: ApprovalTally.Standing?) -> String {
            switch standing {
            case .approved?: "approved"
            case .pending?: "pending"
            case .denied?: "denied"
            case .expired?: "expired"
            case .closed(let s)?: s.rawValue
            case .tampered?: "TAMPERED"
            case nil: r.status.rawValue
            }
        }
    }
}

/// `runbook approve` and `runbook deny`: a second person's signed decision on a request.
struct Decide {
    var options: LedgerOptions
    var key: String?
    var verdict: ApprovalDecision.Verdict
    var comment: String

    /// Where this process decides: here, signing with the approver's key; or on the runner,
    /// first showing the plan (and handing its digest back to the approver's process), then
    /// recording the decision the approver signed, once its signature verifies there.
    enum Step {
        case local(key: String)
        case plan
        case record(RunnerCommandRequest.Decision)
    }

    func run(_ id: String) async throws {
        let (env, policy, signers) = try prepare(id)
        let principal: String
        let step: Step
        if let served = ServedCommand.current {
            principal = served.principal
            step = served.decision.map(Step.record) ?? .plan
        } else {
            // The approver is whoever the key proves, never a name typed on the command line.
            let identity = try await resolveIdentity(environment: env, home: options.home.home, keyFlag: key, operatorFlag: nil, requireKey: true)
            guard let name = identity.principal, let signingKey = identity.signer?.key else {
                throw CommandFailure(.usage, "error: \(verdict == .approved ? "approving" : "denying") needs your SSH key (--key or RUNBOOK_SIGNING_KEY)")
            }
            principal = name
            step = .local(key: signingKey)
        }
        let redactor = Redactor(secrets: env.secrets)
        let (ledger, _) = try await options.connect()
        let desk = ApprovalDesk(ledger: ledger, allowedSigners: signers, policy: policy, onBehalfSigner: env.runnerPrincipal)
        do {
            try await ledger.requireCurrentSchema()
            try await decide(id, desk: desk, env: env, principal: principal, step: step)
        } catch let error as LedgerError {
            await ledger.close()
            throw ledgerFailure(error, redactor: redactor)
        } catch {
            await ledger.close()
            throw error
        }
        await ledger.close()
    }

    /// The environment, its policy and allowed_signers, once `id` is a request id; exit 2 otherwise.
    private func prepare(_ id: String) throws -> (Environment, ApprovalPolicy, String) {
        guard ApprovalRequest.isValidID(id) else {
            throw CommandFailure(.usage, "error: '\(id)' is not a request id (apr- and 10 hex digits, as `runbook approvals` lists them)")
        }
        let env = try options.loadEnvironment()
        guard let policy = env.approvalPolicy, let signers = env.allowedSignersURL(home: options.home.home)?.path else {
            throw CommandFailure(.usage, "error: environment '\(env.name)' has no approvals policy (approvals: {high: 1, approvers: [...]}) in \(env.path ?? "its file")")
        }
        return (env, policy, signers)
    }

    /// The decision through `env`'s runner: the plan shown there, the decision signed here
    /// with the approver's key over the digest it showed, then recorded there (by its policy,
    /// its allowed_signers, the principal that signed the request).
    func throughRunner(_ id: String, env: Environment) async throws {
        let target = try RunnerTarget(env, keyFlag: key, nothing: "nothing was recorded")
        let plan = try await target.send()
        if plan.exitCode != 0 { throw ExitCode(plan.exitCode) }
        guard let digest = plan.values.last else {
            throw CommandFailure(.unavailable, "error: the runner did not say which plan to sign; nothing was recorded")
        }
        // Signed as the approver's own copy of allowed_signers names them: the runner verifies
        // it as the principal its own file names, and refuses a mismatch.
        let identity = try await resolveIdentity(environment: env, home: options.home.home, keyFlag: key, operatorFlag: nil, requireKey: true)
        let decidedAt = ApprovalDesk.now()
        let decision = ApprovalDecision(requestID: id, approver: identity.principal ?? "", verdict: verdict, comment: comment, decidedAt: decidedAt)
        let signature: String
        do { signature = try await SSHKeygen().sign(message: Array(decision.signedText(digest: digest).utf8), key: target.key) } catch {
            throw CommandFailure(.usage, "error: cannot sign the decision: \(error.message); nothing was recorded")
        }
        let recorded = try await target.send(decision: .init(decidedAt: decidedAt, signature: signature))
        if recorded.exitCode != 0 { throw ExitCode(recorded.exitCode) }
    }

    private func decide(_ id: String, desk: ApprovalDesk, env: Environment, principal: String, step: Step) async throws {
        guard let loaded = try await desk.load(id) else {
            throw CommandFailure(.usage, "error: the ledger of '\(env.name)' has no approval request \(id)")
        }
        let request = loaded.request
        let now: Int
        let sign: (String) async throws(IdentityError) -> String
        switch step {
        case .local(let key):
            now = ApprovalDesk.now()
            sign = { text throws(IdentityError) in try await desk.keygen.sign(message: Array(text.utf8), key: key) }
        case .plan:
            if request.environment == env.name { StandardStreams.out(PlanText.render(request, loaded: loaded, policy: desk.policy, color: false)) }
            ServedCommand.current?.emit(.value(request.digest))
            return
        case .record(let decision):
            // Its time is the one signed, and must be the ledger's now (within the requests'
            // leeway): the expiry is checked at it, by the ledger's clock.
            now = decision.decidedAt
            let ledgerNow = try await desk.ledger.now()
            guard abs(now - ledgerNow) <= RunnerRequest.maxAge else {
                throw CommandFailure(.usage, "error: refused: the decision was signed \(ledgerNow - now) s from the ledger's clock (at most \(RunnerRequest.maxAge) s either way); nothing was recorded")
            }
            // Signed by the approver, or, via the console, by the console's principal.
            let signer = ServedCommand.current?.console ?? principal
            sign = { text throws(IdentityError) in
                do throws(IdentityError) { try await desk.keygen.verify(message: Array(text.utf8), signature: decision.signature, principal: signer, allowedSigners: desk.allowedSigners) } catch {
                    throw IdentityError(.signatureInvalid, "the signature does not verify as \(signer) by the runner's allowed_signers (\(error.message))")
                }
                return decision.signature
            }
        }
        if case .local = step, request.environment == env.name {
            let color = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            StandardStreams.out(PlanText.render(request, loaded: loaded, policy: desk.policy, color: color))
        }
        let outcome: ApprovalDesk.Outcome
        do {
            let console = ServedCommand.current?.console
            outcome = try await desk.decide(loaded, environment: env.name, by: principal, verdict: verdict, comment: comment,
                                            via: console == nil ? .cli : .console, signer: console, now: now, sign: sign)
        } catch let refusal as ApprovalDesk.Refusal {
            ServedCommand.current?.emit(.value(DecisionAnswer.refused(refusal.kind).value))
            switch refusal.kind {
            case .unknown: printError("error: \(refusal.message)")
            case .signing: printError("error: \(refusal.message); nothing was recorded")
            case .forbidden, .conflict: printError("error: refused: \(refusal.message); nothing was recorded")
            }
            throw CommandFailure(.usage)
        }
        ServedCommand.current?.emit(.value(DecisionAnswer.done(outcome).value))
        switch outcome {
        case .denied:
            StandardStreams.out("denied: \(id) by \(principal) (signed): '\(request.action)' will not run under this request\n")
        case .approved(let yes) where request.runID == StandingApproval.runID:
            StandardStreams.out("approved: standing approval \(id) by \(yes.map(\.approver).joined(separator: ", ")) (\(yes.count) of \(request.required), signed over \(request.digest)).\n"
                + "  scheduled runs of \(request.runbook) in \(request.environment) pass its gates until \(ApprovalRequest.time(request.expiresAt)), while the runbook is unchanged and within its bounds\n")
        case .approved(let yes):
            StandardStreams.out("approved: \(id) by \(yes.map(\.approver).joined(separator: ", ")) (\(yes.count) of \(request.required), signed over \(request.digest)).\n"
                + "  the requester resumes: runbook run \(request.runbook) --env \(request.environment) --resume \(id)\n"
                + "  (the checks run again; any change since this approval voids it)\n")
        case .pending(let have, let need):
            StandardStreams.out("approved by \(principal) (signed): \(have) of \(need) approvals; \(need - have) more needed from another approver\n")
        case .recorded:
            StandardStreams.out("recorded \(principal)'s approval of \(id)\n")
        }
    }
}

struct Approve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a four-eyes request: shows the whole plan, then signs your approval of its digest with your SSH key.",
        discussion: "Exit 0 recorded · 2 refused (your own request, not an approver, already decided, expired, denied, used, stale, a signature that does not verify) · 4 ledger unreachable.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The request id (apr-...).") var requestID: String
    @Option(name: .customLong("comment"), help: "Why you approve (signed and audited).") var comment: String = ""
    @Option(name: .customLong("key"), help: "Your SSH key (default: $RUNBOOK_SIGNING_KEY): names you by the environment's allowed_signers and signs the decision.")
    var key: String?

    func run() async throws {
        try await Decide(options: options, key: key, verdict: .approved, comment: comment).run(requestID)
    }
}

struct Deny: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deny",
        abstract: "Deny a four-eyes request: signs your refusal with your SSH key; the action will not run under it.",
        discussion: "Exit 0 recorded · 2 refused or invalid · 4 ledger unreachable.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The request id (apr-...).") var requestID: String
    @Option(name: .customLong("reason"), help: "Why (required; signed and audited).") var reason: String
    @Option(name: .customLong("key"), help: "Your SSH key (default: $RUNBOOK_SIGNING_KEY).") var key: String?

    func run() async throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CommandFailure(.usage, "error: --reason must say why")
        }
        try await Decide(options: options, key: key, verdict: .denied, comment: reason).run(requestID)
    }
}
