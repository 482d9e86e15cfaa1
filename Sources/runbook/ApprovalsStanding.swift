import ArgumentParser
import Foundation
import RunbookCore
import RunbookDrivers
import RunbookLedger
import RunbookRunner

/// `runbook approvals standing request RUNBOOK`: asks for a standing approval of a scheduled
/// runbook's gated actions (issue 21), approved with the ordinary `runbook approve`.
struct ApprovalsStanding: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standing",
        abstract: "Standing approvals: scheduled runs pass the gates two approvers approved once, for the runbook's exact file, within bounds, until a date.",
        subcommands: [Request.self])

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "request",
            abstract: "Ask for a standing approval of a scheduled runbook's actions (two approvers then run `runbook approve ID`).",
            discussion: "Exit 0 recorded · 2 invalid (no schedule, an action that needs no approval, a bad bound or date, no key) · 4 ledger unreachable.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The scheduled runbook's id.") var runbook: String
        @Option(name: .customLong("actions"), help: "The actions it passes, comma-separated (each needs approval in the environment).")
        var actions: String
        @Option(name: .customLong("until"), help: "Its last day (YYYY-MM-DD, through 23:59:59 UTC) or an ISO 8601 time; the ledger's clock decides.")
        var until: String
        @Option(name: .customLong("bound"), help: "NAME<=N or NAME>=N: an input or a value the action reads (its last path component), repeatable.")
        var bounds: [String] = []
        @Option(name: .customLong("key"), help: "Your SSH key (default: $RUNBOOK_SIGNING_KEY): names you and signs the request.")
        var key: String?

        func run() async throws {
            let env = try options.loadEnvironment()
            let redactor = Redactor(secrets: env.secrets)
            guard let policy = env.approvalPolicy, let signers = env.allowedSignersURL(home: options.home.home)?.path else {
                throw CommandFailure(.usage, "error: environment '\(env.name)' has no approvals policy (approvals: {high: 1, approvers: [...]}) in \(env.path ?? "its file")")
            }
            let book = try loadRunbookOrExit(runbook, loader: options.home.loader)
            var parsed: [StandingApproval.Bound] = []
            for text in bounds {
                guard let bound = StandingApproval.Bound(text) else {
                    throw CommandFailure(.usage, "error: --bound '\(text)' is not NAME<=N or NAME>=N (an input such as max_minutes<=30, or a value read such as resolved_dlq<=5000)")
                }
                parsed.append(bound)
            }
            guard let end = StandingApproval.parseUntil(until) else {
                throw CommandFailure(.usage, "error: --until '\(until)' is not a date (YYYY-MM-DD) or an ISO 8601 time")
            }
            let names = actions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let file = book.path.hasPrefix("/") ? URL(fileURLWithPath: book.path) : options.home.home.appendingPathComponent(book.path)
            let source = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            if let why = StandingApproval.refusal(runbook: book, source: source, actions: names, bounds: parsed, requirements: policy.requirements(of: book),
                                                  until: end, now: ApprovalDesk.now()) {
                throw CommandFailure(.usage, "error: \(why); nothing was recorded")
            }
            // On the runner: the principal its allowed_signers found for the signed command,
            // and the runner's key signing the request on their behalf (its policy's
            // runner.principal); here: whoever the operator's own key proves.
            let identity = try await resolveIdentity(environment: env, home: options.home.home, keyFlag: key, operatorFlag: nil, requireKey: true)
            guard let principal = identity.principal, let signingKey = ServedCommand.current?.runnerKey ?? identity.signer?.key else {
                throw CommandFailure(.usage, "error: a standing approval request needs your SSH key (--key or RUNBOOK_SIGNING_KEY)")
            }
            let standing = StandingApproval(runbook: book.id, environment: env.name, runbookSHA256: book.sha256, actions: names, bounds: parsed, until: end)
            let (ledger, _) = try await options.connect()
            let desk = ApprovalDesk(ledger: ledger, allowedSigners: signers, policy: policy, onBehalfSigner: env.runnerPrincipal)
            let result: Result<ApprovalRequest, IdentityError>
            do {
                try await ledger.requireCurrentSchema()
                result = try await desk.requestStanding(standing, requester: principal, key: signingKey)
            } catch {
                await ledger.close()
                throw ledgerFailure(error, redactor: redactor)
            }
            await ledger.close()
            switch result {
            case .failure(let error):
                throw CommandFailure(.usage, "error: cannot sign the request: \(error.message); nothing was recorded")
            case .success(let request):
                StandardStreams.out("standing approval requested: \(request.id) for \(standing.actions.joined(separator: ", ")) of \(book.id) in \(env.name)"
                    + " (runbook sha256 \(book.sha256.prefix(12))…\(parsed.isEmpty ? "" : ", bounds " + parsed.map(\.description).joined(separator: " "))),"
                    + " until \(ApprovalRequest.time(end)); needs \(StandingApproval.required) approvers other than \(principal)\n"
                    + "  approve: runbook approve \(request.id) --env \(env.name)\n")
            }
        }
    }
}
