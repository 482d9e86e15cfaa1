import ArgumentParser
import Foundation
import RunbookCore
import RunbookRunner
import RunbookLedger

/// What every incident subcommand shares: environment and ledger, operator.
struct IncidentOptions: ParsableArguments {
    @OptionGroup var ledger: LedgerOptions

    @Option(name: .customLong("operator"), help: "Who acts (default: $RUNBOOK_OPERATOR or the login name).")
    var operatorFlag: String?

    /// Runs `body` with a desk over the environment's ledger and channels; closes both after.
    /// A ledger error or an ``IncidentError`` becomes exit 2 or 4 with its message.
    func withDesk<T: Sendable>(dryRun: Bool = false, _ body: (IncidentDesk) async throws -> T) async throws -> T {
        let (ledger, env) = try await self.ledger.connect()
        let ladder: Escalation?
        do { ladder = try Escalation.load(home: self.ledger.home.home) } catch {
            await ledger.close()
            for d in error.diagnostics { printError(d.description) }
            throw ExitCode(2)
        }
        let desk = IncidentDesk(ledger: ledger, environment: env, home: self.ledger.home.home, ladder: ladder,
                                author: operatorName(operatorFlag), dryRun: dryRun)
        do {
            try await ledger.requireCurrentSchema()
            let result = try await body(desk)
            await desk.shutdown()
            await ledger.close()
            return result
        } catch {
            await desk.shutdown()
            await ledger.close()
            switch error {
            case let e as LedgerError: throw exitLedgerError(e, redactor: desk.redactor)
            case let e as IncidentError:
                printError("error: \(desk.redactor.redact(e.message))")
                throw ExitCode(e.code == .invalid ? 2 : 4)
            default: throw error
            }
        }
    }
}
