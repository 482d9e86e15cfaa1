import ArgumentParser
import Foundation
import RunbookCore
import RunbookRunner
import RunbookLedger

/// What every incident subcommand shares: environment and ledger, operator.
struct IncidentOptions: ParsableArguments {
    @OptionGroup var ledger: LedgerOptions

    @Option(name: .customLong("operator"), help: "Who acts (default: $RUNBOOK_OPERATOR or the login name; with identity: your key's principal).")
    var operatorFlag: String?

    @Option(name: .customLong("key"), help: "Your SSH key (default: $RUNBOOK_SIGNING_KEY): in an environment with identity, it names the author.")
    var key: String?

    /// Runs `body` with a desk over the environment's ledger and channels; closes both after.
    /// A ledger error or an ``IncidentError`` becomes exit 2 or 4 with its message.
    ///
    /// The author of what the desk stores and posts is, in an environment with `identity`, the
    /// principal the operator's key proves (as for a run): `--operator` cannot make it anyone
    /// else, and a command that `acts` (stores or posts) without a key is refused. Reading
    /// (`list`, `show`) and dry runs need no key.
    func withDesk<T: Sendable>(dryRun: Bool = false, acts: Bool = true, _ body: (IncidentDesk) async throws -> T) async throws -> T {
        let env = try self.ledger.loadEnvironment()
        let identity = try await resolveIdentity(environment: env, home: self.ledger.home.home, keyFlag: key, operatorFlag: operatorFlag,
                                                 requireKey: acts && !dryRun, needing: "an incident's record")
        let (ledger, _) = try await self.ledger.connect()
        let ladder: Escalation?
        do { ladder = try Escalation.load(home: self.ledger.home.home) } catch {
            await ledger.close()
            throw CommandFailure(diagnostics: error.diagnostics)
        }
        let desk = IncidentDesk(ledger: ledger, environment: env, home: self.ledger.home.home, ladder: ladder,
                                author: identity.recordedOperator(flag: operatorFlag), dryRun: dryRun)
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
            case let e as LedgerError: throw ledgerFailure(e, redactor: desk.redactor)
            case let e as IncidentError:
                throw CommandFailure(e.code == .invalid ? .usage : .unavailable, "error: \(desk.redactor.redact(e.message))")
            default: throw error
            }
        }
    }
}
