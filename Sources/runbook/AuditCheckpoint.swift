import ArgumentParser
import Foundation
import RunbookCore
import RunbookRunner
import RunbookDrivers
import RunbookLedger

extension Audit {
    /// `runbook audit checkpoint`: signs the head of the audit log now.
    struct MakeCheckpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint",
            abstract: "Sign the head of the audit log with your SSH key and keep the checkpoint next to the log (<log>.checkpoints).",
            discussion: "With --env NAME whose environment has identity, the key must belong to one of its allowed signers, and the checkpoint is signed as that principal; otherwise as --operator.")
        @OptionGroup var options: Options
        @OptionGroup var signers: SignersOptions

        @Option(name: .customLong("key"), help: "Your SSH key (a private key, or the public half of a key in ssh-agent; default: $RUNBOOK_SIGNING_KEY).")
        var key: String?

        @Option(name: .customLong("operator"), help: "Who signs, when no environment identity names you (default: $RUNBOOK_OPERATOR or the login name).")
        var operatorFlag: String?

        func run() async throws {
            guard OperatorIdentity.keyPath(flag: key, environment: ProcessInfo.processInfo.environment) != nil else {
                throw CommandFailure(.usage, "error: a checkpoint is signed with your SSH key: give --key FILE or set RUNBOOK_SIGNING_KEY")
            }
            guard FileManager.default.fileExists(atPath: options.path) else {
                throw CommandFailure(.usage, "error: no audit log at \(options.path)")
            }
            let env = try signers.loadEnvironment() ?? .empty(name: "none")
            let identity = try await resolveIdentity(environment: env, home: signers.home.home, keyFlag: key, operatorFlag: operatorFlag, requireKey: true)
            guard let signer = identity.signer else { throw CommandFailure(.usage) }
            let log: AuditLog
            do { log = try AuditLog(path: options.path) } catch {
                throw CommandFailure(.unavailable, "error: \(error)")
            }
            let checkpoint: Checkpoint
            do { checkpoint = try await signer.write(log: log, runID: nil) } catch {
                throw CommandFailure(.unavailable, "error: no checkpoint was written: \(error)")
            }
            print("checkpoint: \(CheckpointFile(auditLog: options.path).path): seq \(checkpoint.seq), hash \(checkpoint.hash), signed by \(checkpoint.principal)")
            // And in the environment's ledger, after the records it covers. A ledger that
            // cannot take it is said once; the checkpoint waits next to the log for
            // `runbook audit sync`.
            if let url = env.ledgerURL {
                let redactor = Redactor(secrets: env.secrets)
                let warning = WarningBox()
                let writer = LedgerWriter(url: url, logPath: options.path, host: ProcessInfo.processInfo.hostName, environment: env.name,
                                          backlogLimit: .max) { message in warning.set(redactor.redact(message)) }
                await writer.push()
                let sent = await writer.send([checkpoint])
                await writer.close()
                if sent.held == 1 {
                    print("checkpoint: in the ledger of \(env.name)")
                } else {
                    printError(warning.message ?? "warning: the ledger of \(env.name) does not hold the checkpoint yet: `runbook audit sync --env \(env.name)` sends it")
                }
            }
        }
    }
}
