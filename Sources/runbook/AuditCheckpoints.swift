import ArgumentParser
import Foundation
import RunbookCore
import RunbookDrivers

/// Where `audit verify` and `audit checkpoint` find the operators' allowed_signers:
/// `--allowed-signers PATH`, or the `identity` of `--env NAME`.
struct SignersOptions: ParsableArguments {
    @OptionGroup var home: HomeOptions

    @Option(name: .customLong("env"), help: "An environment (environments/NAME.yaml) whose identity.allowed_signers checks checkpoint signatures.")
    var environment: String?

    @Option(name: .customLong("allowed-signers"), help: "An OpenSSH allowed_signers file that checks checkpoint signatures.")
    var allowedSigners: String?

    /// The environment named by `--env`; printed diagnostics and exit 2 when it cannot be loaded.
    func loadEnvironment() throws -> Environment? {
        guard let environment else { return nil }
        do { return try Environment.load(name: environment, home: home.home, processEnvironment: ProcessInfo.processInfo.environment) } catch {
            for d in error.diagnostics { printError(d.description) }
            throw ExitCode(2)
        }
    }

    /// The allowed_signers file to check signatures against, validated; nil when none is named
    /// (or the environment has no identity). Exit 2 when it does not parse.
    func resolve() throws -> String? {
        let url: URL
        let shown: String
        if let allowedSigners {
            url = URL(fileURLWithPath: allowedSigners)
            shown = allowedSigners
        } else if let env = try loadEnvironment(), env.hasIdentity {
            guard let found = env.allowedSignersURL(home: home.home), let path = env.allowedSignersPath else {
                _ = try? env.allowedSigners(home: home.home)
                printError("error: environment '\(env.name)' has identity but no allowed_signers")
                throw ExitCode(2)
            }
            url = found
            shown = path
        } else {
            return nil
        }
        do { _ = try AllowedSigners.load(url, path: shown) } catch {
            for d in error.diagnostics { printError(d.description) }
            throw ExitCode(2)
        }
        return url.path
    }
}

/// `audit verify`'s checkpoint part: prints a warning line per torn checkpoint and a TAMPERED
/// line per finding (naming seq and run); returns whether they are intact and what the
/// `intact:` line adds. Nothing is said about a log that has no checkpoints.
func verifyCheckpoints(auditLog: String, allowedSigners: String?) async throws -> (intact: Bool, summary: String) {
    let report: CheckpointVerifier.Report
    do { report = try await CheckpointAudit.verify(auditLog: auditLog, allowedSigners: allowedSigners) } catch {
        printError("error: cannot check the checkpoints of \(auditLog): \(error)")
        throw ExitCode(2)
    }
    let file = CheckpointFile(auditLog: auditLog).path
    for warning in report.warnings { print("warning: \(file): \(warning)") }
    for problem in report.problems { print("TAMPERED: \(file): \(problem)") }
    guard let last = report.checkpoints.last?.checkpoint else { return (report.intact, "") }
    let count = report.checkpoints.count
    let signatures = allowedSigners.map { "signatures verified against \($0)" } ?? "signatures not checked (no allowed_signers: give --env or --allowed-signers)"
    return (report.intact, "; \(count) checkpoint\(count == 1 ? "" : "s"), the last signed by \(last.principal) at seq \(last.seq), \(signatures)")
}

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
                printError("error: a checkpoint is signed with your SSH key: give --key FILE or set RUNBOOK_SIGNING_KEY")
                throw ExitCode(2)
            }
            guard FileManager.default.fileExists(atPath: options.path) else {
                printError("error: no audit log at \(options.path)")
                throw ExitCode(2)
            }
            let env = try signers.loadEnvironment() ?? .empty(name: "none")
            let identity = try await resolveIdentity(environment: env, home: signers.home.home, keyFlag: key, operatorFlag: operatorFlag, requireKey: true)
            guard let signer = identity.signer else { throw ExitCode(2) }
            let log: AuditLog
            do { log = try AuditLog(path: options.path) } catch {
                printError("error: \(error)")
                throw ExitCode(4)
            }
            let checkpoint: Checkpoint
            do { checkpoint = try await signer.write(log: log, runID: nil) } catch {
                printError("error: no checkpoint was written: \(error)")
                throw ExitCode(4)
            }
            print("checkpoint: \(CheckpointFile(auditLog: options.path).path): seq \(checkpoint.seq), hash \(checkpoint.hash), signed by \(checkpoint.principal)")
        }
    }
}
