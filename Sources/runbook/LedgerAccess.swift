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
            for d in error.diagnostics { printError(d.description) }
            throw ExitCode(2)
        }
    }

    /// The environment as the team's files say, without the caller's variables (`${VAR:-default}`
    /// takes its default): what `audit verify` checks the policy against. Exit 2 when it does not
    /// load.
    func loadTeamEnvironment() throws -> Environment {
        do {
            return try Environment.load(name: environmentName, home: home.home, processEnvironment: [:])
        } catch {
            for d in error.diagnostics { printError(d.description) }
            throw ExitCode(2)
        }
    }

    /// The environment and a connection to its ledger; exit 2 when it names none or the URL is
    /// wrong, 4 when the ledger cannot be reached or refuses the login. Never prints the password.
    func connect() async throws -> (Ledger, Environment) {
        let env = try loadEnvironment()
        let redactor = Redactor(secrets: env.secrets)
        guard let url = env.ledgerURL else {
            let unset = env.unsetVariables["ledger.url"].map { " ($\($0) is not set)" } ?? ""
            printError("error: environment '\(env.name)' names no ledger: add ledger: {url: ...} to \(env.path ?? "its file")\(unset)")
            throw ExitCode(2)
        }
        do {
            return (try await Ledger.connect(url: url), env)
        } catch {
            printError("error: \(redactor.redact(error.message))")
            throw ExitCode(error.code == .configuration ? 2 : 4)
        }
    }
}

/// Prints a ledger error (redacted) and exits: 2 for what the user must fix in files or the
/// schema, 4 for a ledger that cannot be used now.
func exitLedgerError(_ error: LedgerError, redactor: Redactor) -> ExitCode {
    printError("error: \(redactor.redact(error.message))")
    switch error.code {
    case .configuration, .noSchema, .newerSchema: return ExitCode(2)
    default: return ExitCode(4)
    }
}
