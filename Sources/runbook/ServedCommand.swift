import ArgumentParser
import Foundation
import RunbookCore
import RunbookRunner

/// A command the runner runs for an operator (`POST /commands`, docs/runner.md): the principal
/// whose key signed it, where what it prints goes, and the decision an approver signed. While
/// it is ``current`` (a task-local value: each request its own), ``StandardStreams`` writes to
/// the request's answer, identity is the signer's principal (never `--key` or `--operator`),
/// and nothing is sent on to a runner again.
struct ServedCommand: Sendable {
    /// Who signed the request, by the runner's allowed_signers.
    var principal: String
    /// Where the command's output and values go.
    var emit: @Sendable (RunnerEvent) -> Void
    /// The approver's signed decision (the second step of `approve`/`deny`).
    var decision: RunnerCommandRequest.Decision?
    /// The console's principal when it decides on behalf of ``principal`` (its signed-in
    /// user): the decision is "via console", signed by that principal's key.
    var console: String?
    /// The runner's own key: it signs what it records on the principal's behalf (a standing
    /// approval request), as it signs the approval requests of the runs it runs.
    var runnerKey: String?

    /// The command being served by this task; nil in an operator's own process.
    @TaskLocal static var current: ServedCommand?

    /// The runner's handler of `POST /commands`: parses the signed command line with the CLI's
    /// own parser, takes it only when it is one the runner serves, sets the environment and
    /// home to the runner's own, and runs it as `principal`.
    ///
    /// A request on behalf of a user (`on_behalf_of`) is taken only from the console principal
    /// of the runner's own policy (`approvals.console`), only for a signed `approve` or `deny`.
    static func handler(home: URL, environment: Environment, key: String) -> Runner.Commands {
        let console = environment.approvalPolicy?.console
        return { request, principal, emit in
            var served = ServedCommand(principal: principal, emit: emit, decision: request.decision, runnerKey: key)
            let decides = ["approve", "deny"].contains(request.command.first ?? "")
            if request.onBehalfOf == nil, decides, let console, principal == console {
                emit(.err("error: runner: refused: \(principal) is the console's own principal: it decides only on behalf of a signed-in person; nothing was recorded\n"))
                return 2
            }
            if let user = request.onBehalfOf {
                guard let console, principal == console else {
                    emit(.err("error: runner: refused: only the console's principal of this runner's policy (approvals.console: \(console ?? "none")) decides on behalf of a user, not \(principal); nothing was recorded\n"))
                    return 2
                }
                guard decides, request.decision != nil, !user.isEmpty else {
                    emit(.err("error: runner: refused: the console decides on behalf of a user only with a signed approve or deny; nothing was done\n"))
                    return 2
                }
                served = ServedCommand(principal: user, emit: emit, decision: request.decision, console: principal, runnerKey: key)
            }
            return await $current.withValue(served) {
                await execute(request.command, home: home, environment: environment.name)
            }
        }
    }

    private static func execute(_ arguments: [String], home: URL, environment: String) async -> Int32 {
        let parsed: any ParsableCommand
        do { parsed = try RunbookCommand.parseAsRoot(arguments) } catch {
            printError("error: runner: " + RunbookCommand.fullMessage(for: error))
            return 2
        }
        guard var command = parsed as? any RunnerServable else {
            printError("error: runner: it serves approve, deny, approvals (standing request included), runs and incident; not `runbook \(arguments.first ?? "")`")
            return 2
        }
        command.ledgerOptions.environment = environment
        command.ledgerOptions.home.directory = home.path
        do {
            try await command.run()
            return 0
        } catch let failure as CommandFailure {
            return failure.report()
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            printError("error: \(error)")
            return 2
        }
    }
}
