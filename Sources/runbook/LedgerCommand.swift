import ArgumentParser
import Foundation
import RunbookCore
import RunbookRunner
import RunbookLedger

/// `runbook ledger`: the team's ledger itself.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "The team's ledger (an environment's ledger.url): create or upgrade its schema.",
        subcommands: [Initialize.self])

    struct Initialize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create or upgrade the ledger's schema and grant its roles, runbook_reader (SELECT) and runbook_writer (idempotent; safe to run twice, and at once).",
            discussion: "A ledger whose schema is newer than this binary is refused and left unchanged (exit 2). Exit 4: the ledger cannot be reached or refuses the login.")

        @OptionGroup var options: LedgerOptions

        func run() async throws {
            let (ledger, env) = try await options.connect()
            let redactor = Redactor(secrets: env.secrets)
            let result: (from: Int, to: Int)
            let roles: [String]
            do {
                result = try await ledger.migrate(appliedBy: operatorName(nil))
                roles = try await ledger.grantRoles()
            } catch {
                await ledger.close()
                throw ledgerFailure(error, redactor: redactor)
            }
            await ledger.close()
            if result.from == result.to {
                print("ledger (\(ledger.target)): schema version \(result.to), nothing to do")
            } else {
                print("ledger (\(ledger.target)): schema version \(result.from) -> \(result.to)")
            }
            for line in roles { print("ledger (\(ledger.target)): \(line)") }
        }
    }
}
