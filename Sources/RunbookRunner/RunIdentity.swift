public import Foundation
public import RunbookCore
public import RunbookDrivers

/// Who runs, and how checkpoints are signed: the outcome of `--key` and the environment's
/// `identity:` (see ``resolve(environment:home:keyFlag:operatorFlag:requireKey:output:)``), or,
/// on the runner, the principal it verified and the runner's own key.
public struct RunIdentity: Sendable {
    /// The principal proved by the key; nil when no key was checked against allowed signers.
    public var principal: String?
    /// Signs the checkpoint at the end (and, with four-eyes, the approval requests); nil without a key.
    public var signer: CheckpointWriter?

    public init(principal: String? = nil, signer: CheckpointWriter? = nil) {
        self.principal = principal
        self.signer = signer
    }

    /// The operator the audit log records: the principal when proved, else `--operator` (or
    /// its defaults).
    public func recordedOperator(flag: String?) -> String { principal ?? operatorName(flag) }

    /// Resolves the operator's identity before anything runs, saying why and throwing 2 when it
    /// is refused (4 when ssh-keygen itself cannot run):
    ///
    /// * an environment with `identity`: a live run needs a key (`--key`, `$RUNBOOK_SIGNING_KEY`)
    ///   that a principal of its allowed_signers holds; the operator is that principal (a
    ///   different `--operator` is said once and ignored). A dry run without a key goes on as
    ///   before; with a key it is checked the same way.
    /// * an environment without: a key, when given, must be able to sign; it signs the
    ///   checkpoints as the `--operator`.
    public static func resolve(environment env: Environment, home: URL, keyFlag: String?, operatorFlag: String?, requireKey: Bool,
                               output: RunOutput) async throws(RunSessionError) -> RunIdentity
    {
        let key = OperatorIdentity.keyPath(flag: keyFlag, environment: ProcessInfo.processInfo.environment)
        let keygen = SSHKeygen()
        guard env.hasIdentity else {
            guard let key else { return RunIdentity() }
            let name = operatorName(operatorFlag)
            do { _ = try await keygen.sign(message: Array("runbook key check\n".utf8), key: key) } catch {
                output.line("error: --key: \(error.message); nothing was run")
                throw RunSessionError(exitCode(for: error))
            }
            return RunIdentity(principal: nil, signer: CheckpointWriter(key: key, principal: name, keygen: keygen))
        }
        let envFile = env.path ?? "environments/\(env.name).yaml"
        guard let key else {
            guard requireKey else { return RunIdentity() }
            output.line("error: environment '\(env.name)' names its operators (identity in \(envFile)): a live run needs your SSH key, "
                + "--key FILE or RUNBOOK_SIGNING_KEY (a private key, or the public half of a key held by ssh-agent); nothing was run")
            throw .invalid
        }
        let signers: AllowedSigners
        do {
            guard let parsed = try env.allowedSigners(home: home) else { return RunIdentity() }
            signers = parsed
        } catch {
            for d in error.diagnostics { output.line(d.description) }
            output.line("error: the allowed_signers file of environment '\(env.name)' cannot be used; nothing was run")
            throw .invalid
        }
        guard let url = env.allowedSignersURL(home: home) else { return RunIdentity() }
        let identity: OperatorIdentity
        do {
            identity = try await OperatorIdentity.resolve(key: key, allowedSigners: url.path, claimed: operatorFlag, keygen: keygen)
        } catch {
            output.line("error: \(error.message) (environment '\(env.name)', \(signers.path)); nothing was run")
            throw RunSessionError(exitCode(for: error))
        }
        if let operatorFlag, !operatorFlag.isEmpty, operatorFlag != identity.principal {
            output.line("note: --operator \(operatorFlag) is not used: your key names you \(identity.principal) in \(signers.path), and the audit log records that")
        }
        return RunIdentity(principal: identity.principal, signer: CheckpointWriter(key: key, principal: identity.principal, keygen: keygen))
    }

    /// 4 when ssh-keygen could not run at all (missing, stuck); 2 for a refused or unusable key.
    public static func exitCode(for error: IdentityError) -> Int32 {
        switch error.code {
        case .keygenUnavailable, .timedOut, .failed: 4
        default: 2
        }
    }
}

/// Signs the audit log's head at the end of a run (after `run.ended`); a failure is said on
/// standard error and changes nothing else: the run is over and recorded.
func writeCheckpoint(_ signer: CheckpointWriter, log: AuditLog, runID: String?, output: RunOutput) async -> Checkpoint? {
    do {
        return try await signer.write(log: log, runID: runID)
    } catch {
        output.line("warning: no checkpoint was written to \(CheckpointFile(auditLog: log.path).path): \(error)")
        return nil
    }
}
