import ArgumentParser
import Foundation
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

    /// The command being served by this task; nil in an operator's own process.
    @TaskLocal static var current: ServedCommand?

    /// The runner's handler of `POST /commands`: parses the signed command line with the CLI's
    /// own parser, takes it only when it is one the runner serves, sets the environment and
    /// home to the runner's own, and runs it as `principal`.
    static func handler(home: URL, environment: String) -> Runner.Commands {
        { request, principal, emit in
            await $current.withValue(ServedCommand(principal: principal, emit: emit, decision: request.decision)) {
                await execute(request.command, home: home, environment: environment)
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
            printError("error: runner: it serves approve, deny, approvals, runs and incident; not `runbook \(arguments.first ?? "")`")
            return 2
        }
        command.ledgerOptions.environment = environment
        command.ledgerOptions.home.directory = home.path
        do {
            try await command.run()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            printError("error: \(error)")
            return 2
        }
    }
}
