import ArgumentParser
import Foundation
import RunbookCore
import RunbookDrivers
import RunbookRunner

/// A command that, in an environment naming a runner, the runner runs (docs/runner.md): the
/// command line goes there signed with the operator's key, the runner runs this same code
/// with its own credentials and policy as the principal that signed, and what it prints comes
/// back, exit code included. `runbook`'s main sends it (``sendToRunner()``) before running
/// anything here.
protocol RunnerServable: AsyncParsableCommand {
    /// The environment and home (the runner sets both to its own).
    var ledgerOptions: LedgerOptions { get set }
    /// `--key`, when the command has it.
    var keyFlag: String? { get }
    /// Sends the command to `env`'s runner and says what it answers; throws its exit code
    /// when not 0.
    func throughRunner(_ env: Environment) async throws
}

extension RunnerServable {
    /// Whether the command went to its environment's runner (done; its exit code thrown when
    /// not 0). False on the runner itself, and for an environment that names no runner url
    /// (the runner's own copy of it among them).
    func sendToRunner() async throws -> Bool {
        guard ServedCommand.current == nil else { return false }
        let env = try ledgerOptions.loadEnvironment()
        guard env.namesRunnerURL else { return false }
        try await throughRunner(env)
        return true
    }

    func throughRunner(_ env: Environment) async throws {
        let outcome = try await RunnerTarget(env, keyFlag: keyFlag).send()
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
