import ArgumentParser
import Foundation
import RunbookCore
import RunbookRunner

/// `runbook`: lint, list, show, plan, run and audit runbooks as code.
@main
struct RunbookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runbook",
        abstract: "Runbooks as code for the Conecta Boi ETL: diagnose in green/yellow/red, remediate behind gates, audit everything.",
        discussion: """
            Exit codes: 0 ok · 1 a check red or an action failed · 2 invalid runbook, input or usage · \
            3 stopped at a gate (awaiting approval, or an approval stale since the plan changed) · 4 a step could not run, the audit log cannot be written or the run lock was lost · \
            130 interrupted (SIGINT, SIGTERM or SIGHUP; a second one exits at once).
            """,
        subcommands: [Lint.self, List.self, Show.self, Plan.self, Run.self, Audit.self, Runs.self, LedgerCommand.self,
                      Approvals.self, Approve.self, Deny.self, ScheduleCommand.self, Notify.self, IncidentCommand.self, Kube.self, Serve.self,
                      TestCommand.self, SchemaCommand.self, NewCommand.self, RunnerCommand.self,
                      Probe.self, Alerts.self]
    )

    /// Maps every usage error to exit 2 (the contract in DESIGN.md), not ArgumentParser's 64.
    static func main() async {
        StandardStreams.ignoreBrokenPipes()
        do {
            var command = try parseAsRoot()
            if let served = command as? any RunnerServable, try await served.sendToRunner() { return }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            Foundation.exit(failure.report())
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }  // --help, --version
            printError(fullMessage(for: error))
            Foundation.exit(2)
        }
    }
}

/// Prints to standard error.
func printError(_ text: String) {
    StandardStreams.err(text + "\n")
}

/// Loads a runbook by id, printing diagnostics and exiting 2 when it is unknown or invalid.
func loadRunbookOrExit(_ id: String, loader: RunbookLoader) throws -> Runbook {
    do { return try RunSession.loadRunbook(id, loader: loader, output: standardOutput) } catch { throw ExitCode(error.exitCode) }
}
