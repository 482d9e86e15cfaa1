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
            throw CommandFailure(diagnostics: error.diagnostics)
        }
    }

    /// The allowed_signers file to check signatures against, validated; nil when none is named
    /// (or the environment has no identity). Exit 2 when it does not parse.
    func resolve() throws -> String? {
        try resolveAllowedSigners(path: allowedSigners, environment: try loadEnvironment(), home: home.home)
    }
}

/// The allowed_signers file that checks checkpoint signatures: `path` (`--allowed-signers`),
/// else the `identity` of `environment`; validated (diagnostics printed, exit 2 when it does
/// not parse); nil when neither names one.
func resolveAllowedSigners(path: String?, environment env: Environment?, home: URL) throws -> String? {
    let url: URL
    let shown: String
    if let path {
        url = URL(fileURLWithPath: path)
        shown = path
    } else if let env, env.hasIdentity {
        guard let found = env.allowedSignersURL(home: home), let written = env.allowedSignersPath else {
            throw CommandFailure(.usage, "error: environment '\(env.name)' has identity but no allowed_signers (identity: {allowed_signers: PATH})")
        }
        url = found
        shown = written
    } else {
        return nil
    }
    do { _ = try AllowedSigners.load(url, path: shown) } catch {
        throw CommandFailure(diagnostics: error.diagnostics)
    }
    return url.path
}

/// `audit verify`'s checkpoint part: prints a warning line per torn checkpoint and a TAMPERED
/// line per finding (naming seq and run); returns whether they are intact and what the
/// `intact:` line adds. Nothing is said about a log that has no checkpoints.
func verifyCheckpoints(auditLog: String, allowedSigners: String?) async throws -> (intact: Bool, summary: String) {
    let report: CheckpointVerifier.Report
    do { report = try await CheckpointAudit.verify(auditLog: auditLog, allowedSigners: allowedSigners) } catch {
        throw CommandFailure(.usage, "error: cannot check the checkpoints of \(auditLog): \(error)")
    }
    let file = CheckpointFile(auditLog: auditLog).path
    for warning in report.warnings { print("warning: \(file): \(warning)") }
    for problem in report.problems { print("TAMPERED: \(file): \(problem)") }
    guard let last = report.checkpoints.last?.checkpoint else { return (report.intact, "") }
    let count = report.checkpoints.count
    let signatures = allowedSigners.map { "signatures verified against \($0)" } ?? "signatures not checked (no allowed_signers: give --env or --allowed-signers)"
    return (report.intact, "; \(count) checkpoint\(count == 1 ? "" : "s"), the last signed by \(last.principal) at seq \(last.seq), \(signatures)")
}
