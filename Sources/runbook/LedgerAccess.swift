import ArgumentParser
import Foundation
import RunbookCore
import RunbookLedger

/// `--env NAME` for the commands that read or write the team's ledger.
struct LedgerOptions: ParsableArguments {
    @OptionGroup var home: HomeOptions

    @Option(name: .customLong("env"), help: "The environment whose ledger (ledger.url) and identity to use (environments/NAME.yaml; default sandbox).")
    var environment: String?

    /// The environment's name: `--env`, else `sandbox`.
    var environmentName: String { environment ?? "sandbox" }

    /// The environment, or exit 2 with its diagnostics.
    func loadEnvironment() throws -> Environment {
        do {
            return try Environment.load(name: environmentName, home: home.home, processEnvironment: ProcessInfo.processInfo.environment)
        } catch {
            throw CommandFailure(diagnostics: error.diagnostics)
        }
    }

    /// The environment as the team's files say, without the caller's variables (`${VAR:-default}`
    /// takes its default): what `audit verify` checks the policy against. Exit 2 when it does not
    /// load.
    func loadTeamEnvironment() throws -> Environment {
        do {
            return try Environment.load(name: environmentName, home: home.home, processEnvironment: [:])
        } catch {
            throw CommandFailure(diagnostics: error.diagnostics)
        }
    }

    /// The environment and a connection to its ledger; exit 2 when it names none or the URL is
    /// wrong, 4 when the ledger cannot be reached or refuses the login. Never prints the password.
    func connect() async throws -> (Ledger, Environment) {
        let env = try loadEnvironment()
        let redactor = Redactor(secrets: env.secrets)
        guard let url = env.ledgerURL else {
            let unset = env.unsetVariables["ledger.url"].map { " ($\($0) is not set)" } ?? ""
            throw CommandFailure(.usage, "error: environment '\(env.name)' names no ledger: add ledger: {url: ...} to \(env.path ?? "its file")\(unset)")
        }
        do {
            return (try await Ledger.connect(url: url), env)
        } catch {
            throw CommandFailure(error.code == .configuration ? .usage : .unavailable, "error: \(redactor.redact(error.message))")
        }
    }
}

/// A ledger error as a command's failure (redacted): exit 2 for what the user must fix in files
/// or the schema, 4 for a ledger that cannot be used now.
func ledgerFailure(_ error: LedgerError, redactor: Redactor) -> CommandFailure {
    switch error.code {
    case .configuration, .noSchema, .newerSchema: CommandFailure(.usage, "error: \(redactor.redact(error.message))")
    default: CommandFailure(.unavailable, "error: \(redactor.redact(error.message))")
    }
}
