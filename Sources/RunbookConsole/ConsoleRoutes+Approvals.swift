import Foundation
import HTTPTypes
import Hummingbird
import RunbookCore
import RunbookDrivers
import RunbookLedger
import RunbookRunner

/// `/approvals`: the open requests as `runbook approve` shows them, with Approve and Deny; the
/// decision goes through ``ApprovalDesk/decide(_:environment:by:verdict:comment:via:signer:now:sign:)``,
/// the same code as `runbook approve`, signed by the console's key "via console"; in an
/// environment with a runner, the runner runs that code (``decideThroughRunner``).
extension ConsoleRoutes {
    struct Shown {
        var request: ApprovalRequest
        var loaded: ApprovalDesk.Loaded?
        var standing: String
        var have: Int
    }

    func openRequests() async throws -> [Shown] {
        let policy = configuration.policy
        return try await pool.with { ledger in
            let requests = try await ledger.requests(environment: environment, open: true, plans: parsedPlans)
            parsedPlans.keep(only: Set(requests.map(\.id)))
            let (decisions, used) = configuration.allowedSigners == nil ? ([:], []) : try await ledger.decisionsAndUses(of: requests.map(\.id))
            // One desk for the page (making one reads the process's environment for ssh-agent).
            let desk = configuration.allowedSigners.map {
                ApprovalDesk(ledger: ledger, allowedSigners: $0, policy: policy, onBehalfSigner: configuration.environment.runnerPrincipal, memo: memo)
            }
            var shown: [Shown] = []
            for r in requests {
                if let desk {
                    let loaded = await desk.check(r, decisions: decisions[r.id] ?? [], used: r.status != .used && used.contains(r.id))
                    let standing = Self.status(loaded.standing(policy: policy))
                    shown.append(Shown(request: r, loaded: loaded, standing: standing, have: ApprovalTally.counted(r, loaded.decisions, policy: policy).count))
                } else {
                    shown.append(Shown(request: r, loaded: nil, standing: r.status.rawValue, have: 0))
                }
            }
            return shown
        }
    }

    static func status(_ standing: ApprovalTally.Standing) -> String {
        switch standing {
        case .approved: "approved"
        case .pending: "pending"
        case .denied: "denied"
        case .expired: "expired"
        case .closed(let s): s.rawValue
        case .tampered: "tampered"
        }
    }

    /// Why `user` may not decide on `request` in the console; nil when they may.
    func refusal(of user: String?, on shown: Shown) -> String? {
        guard let user else { return "sign in to decide" }
        guard let loaded = shown.loaded else { return "environment '\(environment)' has no identity: nobody can approve in the console" }
        let policy = configuration.policy
        guard policy.console != nil, configuration.consoleKey != nil, configuration.consolePrincipal == policy.console else {
            return policy.console == nil
                ? "environment '\(environment)' does not count approvals made in the console (approvals.console): use runbook approve \(shown.request.id) --env \(environment)"
                : "this console has no key of \(policy.console ?? "?") (runbook serve --key): use runbook approve \(shown.request.id) --env \(environment)"
        }
        if policy.approvers.isEmpty && !configuration.principals.contains(user) {
            return "\(user) is not an allowed signer of environment '\(environment)'"
        }
        return ApprovalTally.refusal(of: user, on: shown.request, loaded.decisions, policy: policy, now: ApprovalDesk.now())
    }

    func approvalsPage(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let shown: [Shown]
        do { shown = try await openRequests() } catch { return unavailable(error, request, context) }
        var data: [String: Any] = [:]
        let q = request.uri.queryParameters
        if let id = q.get("decided"), ApprovalRequest.isValidID(id), let outcome = q.get("outcome") {
            let words = ["approved": ("approved: the requester resumes the run (its checks run again; any change voids the approval)", "green"),
                         "pending": ("your approval is recorded; more approvals are needed", "yellow"),
                         "denied": ("denied: the action will not run under this request", "red"),
                         "recorded": ("recorded", "dim")]
            if let (text, tone) = words[outcome] {
                data["notice"] = "\(id): \(text)"
                data["tone"] = tone
            }
        }
        data["requests"] = shown.map { s -> [String: Any] in
            let r = s.request
            let head = CardHead(request: r, standing: s.standing, have: s.have, decisions: s.loaded?.decisions ?? [])
            var row: [String: Any] = ["id": r.id, "headHTML": heads.value(r.id, head) { views.render("approval-head", cardHead($0)) }]
            if let why = refusal(of: context.user, on: s) { row["why"] = why } else { row["canDecide"] = true }
            row["csrf"] = context.csrf
            return row
        }
        let ids = Set(shown.map(\.request.id))
        heads.keep(only: ids)
        plans.keep(only: ids)
        return views.page("approvals", title: "Approvals", context: context, data: data)
    }

    /// The data of the `approval-head` template.
    func cardHead(_ head: CardHead) -> [String: Any] {
        let r = head.request
        var row = ConsoleViews.styled(head.standing)
        row["action"] = r.action
        row["runbook"] = r.runbook
        row["risk"] = r.risk.rawValue
        row["have"] = String(head.have)
        row["required"] = String(r.required)
        row["runID"] = r.runID
        row["runPath"] = ConsoleViews.pathSegment(r.runID)
        row["expires"] = ApprovalRequest.time(r.expiresAt)
        row["digest"] = r.digest
        row["planHTML"] = plans.value(r.id, r) { views.render("approval-plan", ConsoleViews.plan($0)) }
        row["decisions"] = zip(head.decisions, head.verified).map { d, verified -> [String: Any] in
            var item = ConsoleViews.styled(d.verdict.rawValue)
            item["verdict"] = d.verdict.rawValue
            item["approver"] = d.approver
            item["console"] = d.via == .console
            item["at"] = ApprovalRequest.time(d.decidedAt)
            item["comment"] = d.comment
            item["verified"] = verified
            return item
        }
        row["hasDecisions"] = !head.decisions.isEmpty
        return row
    }

    func apiApprovals(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let shown: [Shown]
        do { shown = try await openRequests() } catch { return unavailable(error, request, context) }
        let list: [Value] = shown.map { s in
            let r = s.request
            // The plan's text depends on the request and its checked decisions only: kept as the cards are.
            let text = s.loaded.map { loaded in
                texts.value(r.id, CardHead(request: r, standing: s.standing, have: s.have, decisions: loaded.decisions)) { _ in
                    PlanText.render(r, loaded: loaded, policy: configuration.policy, color: false)
                }
            }
            return .object([("id", .string(r.id)), ("runbook", .string(r.runbook)), ("environment", .string(r.environment)), ("action", .string(r.action)),
                            ("risk", .string(r.risk.rawValue)), ("requester", .string(r.requester)), ("run_id", .string(r.runID)),
                            ("digest", .string(r.digest)), ("required", .int(r.required)), ("approvals", .int(s.have)),
                            ("status", .string(s.standing)), ("created_at", .string(ApprovalRequest.isoTime(r.createdAt))),
                            ("expires_at", .string(ApprovalRequest.isoTime(r.expiresAt))),
                            ("plan_text", text.map { .string($0) } ?? .null), ("you_may_decide", .bool(refusal(of: context.user, on: s) == nil))])
        }
        texts.keep(only: Set(shown.map(\.request.id)))
        return ConsoleViews.json(.list(list))
    }

    enum Decided {
        case done(ApprovalDesk.Outcome)
        case refused(HTTPResponse.Status, String)
    }

    /// Records the signed-on user's decision, through the same desk as `runbook approve`.
    func decide(_ context: ConsoleContext) async -> Decided {
        let id = context.parameters.get("id") ?? ""
        let verdict: ApprovalDecision.Verdict
        switch context.parameters.get("verdict") {
        case "approve": verdict = .approved
        case "deny": verdict = .denied
        default: return .refused(.notFound, "no such action: approve or deny")
        }
        guard ApprovalRequest.isValidID(id) else { return .refused(.notFound, "'\(id)' is not a request id") }
        guard let user = context.user else { return .refused(.unauthorized, "sign in first") }
        let comment = (verdict == .approved ? context.form["comment"] : context.form["reason"])?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if verdict == .denied && comment.isEmpty { return .refused(.badRequest, "a denial must say why (reason)") }
        let policy = configuration.policy
        guard let signers = configuration.allowedSigners, configuration.environment.approvalPolicy != nil else {
            return .refused(.forbidden, "environment '\(environment)' has no approvals policy")
        }
        guard let key = configuration.consoleKey, let console = configuration.consolePrincipal, policy.console == console else {
            return .refused(.forbidden, policy.console == nil
                ? "environment '\(environment)' does not count approvals made in the console (approvals.console names the console's principal)"
                : "this console has no key of \(policy.console ?? "?") (runbook serve --key)")
        }
        if policy.approvers.isEmpty && !configuration.principals.contains(user) {
            return .refused(.forbidden, "\(user) is not an allowed signer of environment '\(environment)'")
        }
        do {
            if configuration.environment.namesRunnerURL {
                return try await decideThroughRunner(id, user: user, verdict: verdict, comment: comment, key: key, console: console)
            }
            return .done(try await pool.with { ledger in
                let desk = ApprovalDesk(ledger: ledger, allowedSigners: signers, policy: policy, onBehalfSigner: configuration.environment.runnerPrincipal)
                guard let loaded = try await desk.load(id) else { throw ApprovalDesk.Refusal(.unknown, "the ledger has no approval request \(id)") }
                return try await desk.decide(loaded, environment: environment, by: user, verdict: verdict, comment: comment, via: .console,
                                             signer: console) { text throws(IdentityError) in
                    try await desk.keygen.sign(message: Array(text.utf8), key: key)
                }
            })
        } catch let refusal as ApprovalDesk.Refusal {
            switch refusal.kind {
            case .unknown: return .refused(.notFound, refusal.message)
            case .forbidden: return .refused(.forbidden, "refused: \(refusal.message); nothing was recorded")
            case .conflict: return .refused(.conflict, "refused: \(refusal.message); nothing was recorded")
            case .signing: return .refused(.internalServerError, refusal.message)
            }
        } catch {
            return .refused(.serviceUnavailable, Redactor(secrets: configuration.environment.secrets).redact((error as? LedgerError)?.message ?? "\(error)"))
        }
    }

    /// The decision in an environment with a runner (docs/runner.md): the console signs it
    /// "via console" over the plan's digest it reads, and sends it to the runner, signed with
    /// its key and on behalf of `user`; the runner takes that only from the console principal
    /// of its own policy, and writes the ledger. Its refusals answer as the console's own.
    func decideThroughRunner(_ id: String, user: String, verdict: ApprovalDecision.Verdict, comment: String, key: String,
                             console: String) async throws -> Decided
    {
        guard let url = configuration.environment.runnerURL else {
            return .refused(.serviceUnavailable, "environment '\(environment)' names a runner without a url")
        }
        guard let digest = try await pool.with({ ledger in try await ledger.request(id)?.digest }) else {
            return .refused(.notFound, "the ledger has no approval request \(id)")
        }
        let now = ApprovalDesk.now()
        let decision = ApprovalDecision(requestID: id, approver: user, verdict: verdict, comment: comment, decidedAt: now, via: .console, signer: console)
        let signature: String
        do { signature = try await SSHKeygen().sign(message: Array(decision.signedText(digest: digest).utf8), key: key) } catch {
            return .refused(.internalServerError, "cannot sign the decision: \(error.message)")
        }
        let request = RunnerCommandRequest(command: [verdict == .approved ? "approve" : "deny", id, verdict == .approved ? "--comment" : "--reason", comment],
                                           environment: environment, decision: .init(decidedAt: now, signature: signature), onBehalfOf: user)
        let captured = CapturedOutput()
        let outcome = await RunnerClient.command(request, url: url, key: key, output: captured.output)
        let said = captured.err.split(separator: "\n").last.map { String($0.hasPrefix("error: ") ? $0.dropFirst(7) : $0[...]) } ?? "the runner refused"
        switch outcome.values.last.flatMap(DecisionAnswer.init(value:)) {
        case .done(let done)?: return .done(done)
        case .refused(.unknown)?: return .refused(.notFound, said)
        case .refused(.forbidden)?: return .refused(.forbidden, said)
        case .refused(.conflict)?: return .refused(.conflict, said)
        case .refused(.signing)?: return .refused(.internalServerError, said)
        case nil: return .refused(outcome.exitCode == 2 ? .forbidden : .serviceUnavailable, said)
        }
    }

    static func word(_ outcome: ApprovalDesk.Outcome) -> String {
        switch outcome {
        case .approved: "approved"
        case .pending: "pending"
        case .denied: "denied"
        case .recorded: "recorded"
        }
    }

    func decidePage(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        switch await decide(context) {
        case .done(let outcome):
            let id = context.parameters.get("id") ?? ""
            return Self.redirect("/approvals?decided=\(id)&outcome=\(Self.word(outcome))")
        case .refused(let status, let message):
            return views.error(status, message, request: request, context: context)
        }
    }

    func apiDecide(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        switch await decide(context) {
        case .done(let outcome):
            var fields: [(String, Value)] = [("request_id", .string(context.parameters.get("id") ?? "")), ("outcome", .string(Self.word(outcome))),
                                             ("by", .string(context.user ?? "")), ("via", .string("console"))]
            if case .pending(let have, let need) = outcome { fields += [("approvals", .int(have)), ("required", .int(need))] }
            return ConsoleViews.json(.object(fields))
        case .refused(let status, let message):
            return views.error(status, message, request: request, context: context)
        }
    }
}
