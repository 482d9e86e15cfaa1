import Foundation
import RunbookCore
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Signs and verifies with OpenSSH's `ssh-keygen -Y` (SSHSIG), the way engineers already sign
/// git commits: no SSH key or signature format is parsed here.
///
/// Every call is bounded in time and never prompts: `ssh-keygen` runs in a session of its own
/// (no controlling terminal), with `-P ""` (a passphrase-protected key that ssh-agent does not
/// hold fails at once instead of asking), `SSH_ASKPASS_REQUIRE=never`, and only the message on
/// its standard input. A key is a private key file, or a public key (`.pub`) whose private
/// half ssh-agent holds (`SSH_AUTH_SOCK`).
public struct SSHKeygen: Sendable {
    /// The signature namespace of everything `runbook` signs: a signature made for git
    /// (`git`) or for files (`file`) is never accepted as a runbook one.
    public static let namespace = "runbook"

    /// The `ssh-keygen` program.
    public var executable: String
    /// How long one call may take before it is stopped and reported as ``IdentityError/Code/timedOut``.
    public var timeout: Duration
    /// The ssh-agent socket handed to `ssh-keygen` (`SSH_AUTH_SOCK`); nil for none.
    public var agentSocket: String?
    /// Signs in process with this key, when ``sign(message:key:namespace:)`` is asked for
    /// exactly its file (the runner's own key: ``SSHSigner``); nil: always `ssh-keygen`.
    public var inProcess: SSHSigner?

    /// A signer; by default `/usr/bin/ssh-keygen`, 5 seconds a call, and this process's `SSH_AUTH_SOCK`.
    public init(executable: String = "/usr/bin/ssh-keygen", timeout: Duration = .seconds(5),
                agentSocket: String? = SSHKeygen.processAgentSocket)
    {
        self.executable = executable
        self.timeout = timeout
        self.agentSocket = agentSocket.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// This process's `SSH_AUTH_SOCK`; nil when unset.
    public static var processAgentSocket: String? { ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] }

    /// `ssh-keygen -Y sign -f KEY -n NAMESPACE`, `message` on standard input: the armored
    /// signature (`-----BEGIN SSH SIGNATURE-----`...).
    public func sign(message: [UInt8], key: String, namespace: String = SSHKeygen.namespace) async throws(IdentityError) -> String {
        guard FileManager.default.fileExists(atPath: key) else { throw IdentityError(.keyUnreadable, "no key file \(key)") }
        if let inProcess, inProcess.keyPath == key, let signature = try? inProcess.sign(message, namespace: namespace) { return signature }
        let result = try await run(["-Y", "sign", "-P", "", "-f", key, "-n", namespace], message: message)
        if result.status == 0, result.stdout.hasPrefix("-----BEGIN SSH SIGNATURE-----") { return result.stdout }
        let why = Self.reason(result.stderr)
        if why.contains("incorrect passphrase") {
            throw IdentityError(.passphraseRequired, "the key \(key) is protected by a passphrase and ssh-agent does not hold it: "
                + "add it to the agent (ssh-add) and give its public half (--key \(key.hasSuffix(".pub") ? key : key + ".pub")); runbook never asks for a passphrase")
        }
        if why.contains("Couldn't load public key") || why.contains("invalid format") || why.contains("No such file") {
            throw IdentityError(.keyUnreadable, "cannot use \(key) as an SSH key: \(why)")
        }
        throw IdentityError(.signingFailed, "ssh-keygen could not sign with \(key): \(why)")
    }

    /// `ssh-keygen -Y find-principals`: the principals (as written in the file, possibly
    /// patterns) whose key made `signature`; empty when none does.
    public func findPrincipals(signature: String, allowedSigners: String) async throws(IdentityError) -> [String] {
        try Self.requireFile(allowedSigners)
        let result = try await run(["-Y", "find-principals", "-s", Self.signatureArgument, "-f", allowedSigners], signature: signature)
        guard result.status == 0 else {
            let why = Self.reason(result.stderr)
            if why.contains("No principal matched") || why == Self.noReason { return [] }
            if why.contains(allowedSigners) || why.contains("invalid") {
                throw IdentityError(.allowedSignersInvalid, "ssh-keygen cannot read \(allowedSigners): \(why)")
            }
            throw IdentityError(.signatureInvalid, "not a signature ssh-keygen can read: \(why)")
        }
        return result.stdout.split(separator: "\n").map { String($0) }.filter { !$0.isEmpty }
    }

    /// `ssh-keygen -Y verify`: succeeds when `signature` is `principal`'s signature of
    /// `message` in `namespace`, by a key `allowedSigners` allows for it; throws
    /// ``IdentityError/Code/signatureInvalid`` (with ssh-keygen's reason) when it is not.
    /// `verifyTime` (`YYYYMMDDHHMMSSZ`) is the time `valid-after`/`valid-before` are checked
    /// at (`-O verify-time`); now when nil.
    public func verify(message: [UInt8], signature: String, principal: String, allowedSigners: String,
                       namespace: String = SSHKeygen.namespace, verifyTime: String? = nil) async throws(IdentityError)
    {
        try Self.requireFile(allowedSigners)
        var arguments = ["-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", namespace, "-s", Self.signatureArgument]
        if let verifyTime { arguments += ["-O", "verify-time=\(verifyTime)"] }
        let result = try await run(arguments, message: message, signature: signature)
        guard result.status == 0 else {
            let why = Self.reason(result.stderr)
            throw IdentityError(.signatureInvalid, why == Self.noReason
                ? "no key the allowed signers give \(principal) made this signature" : "the signature does not verify for \(principal): \(why)")
        }
    }

    // MARK: Running ssh-keygen

    struct Outcome: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Stands for the signature file in arguments (ssh-keygen reads signatures only from files).
    static let signatureArgument = "\u{0}signature"

    /// Runs ssh-keygen with `message` as its standard input and `signature` in a file, both in
    /// a private temporary folder removed afterwards. Standard input is that file, not a pipe:
    /// nothing is written to a process that may already have exited (no SIGPIPE), and there
    /// is no terminal to prompt on.
    func run(_ arguments: [String], message: [UInt8] = [], signature: String? = nil) async throws(IdentityError) -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw IdentityError(.keygenUnavailable, "\(executable) is not installed (OpenSSH's ssh-keygen signs and verifies operator keys; install openssh-client)")
        }
        var template = Array((NSTemporaryDirectory() + "/runbook-ssh-XXXXXX").utf8CString)
        guard let folder = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) }) else {
            throw IdentityError(.failed, "cannot create a temporary folder: \(String(cString: strerror(errno)))")
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let messageFile = folder + "/message", signatureFile = folder + "/signature"
        guard FileManager.default.createFile(atPath: messageFile, contents: Data(message), attributes: [.posixPermissions: 0o600]),
              signature.map({ FileManager.default.createFile(atPath: signatureFile, contents: Data($0.utf8), attributes: [.posixPermissions: 0o600]) }) ?? true
        else { throw IdentityError(.failed, "cannot write a temporary file in \(folder)") }
        let input: FileDescriptor
        do { input = try FileDescriptor.open(FilePath(messageFile), .readOnly, options: [.closeOnExec]) } catch {
            throw IdentityError(.failed, "cannot read back \(messageFile): \(error)")
        }
        let argv = arguments.map { $0 == Self.signatureArgument ? signatureFile : $0 }
        var options = PlatformOptions()
        // A session of its own: no controlling terminal to prompt on, and a timeout stops the group.
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .milliseconds(200))]
        var environment: [Subprocess.Environment.Key: String] = ["SSH_ASKPASS_REQUIRE": "never", "LC_ALL": "C"]
        if let home = ProcessInfo.processInfo.environment["HOME"] { environment["HOME"] = home }
        if let agentSocket { environment["SSH_AUTH_SOCK"] = agentSocket }
        let executable = self.executable
        let configuredEnvironment = environment
        let limit = timeout
        let platformOptions = options
        do {
            return try await withDeadline(limit, grace: .seconds(1)) {
                let result = try await Subprocess.run(
                    .path(FilePath(executable)), arguments: Arguments(argv), environment: .custom(configuredEnvironment),
                    platformOptions: platformOptions, input: .fileDescriptor(input, closeAfterSpawningProcess: true),
                    output: .string(limit: 1 << 16), error: .string(limit: 1 << 16))
                let status: Int32
                switch result.terminationStatus {
                case .exited(let code): status = code
                case .signaled(let signal): status = 128 + signal
                }
                return Outcome(status: status, stdout: result.standardOutput, stderr: result.standardError)
            }
        } catch is TimeoutError {
            throw IdentityError(.timedOut, "ssh-keygen did not finish within \(DurationText.format(limit)) (a hardware key waiting for a touch, or an agent that does not answer)")
        } catch is CancellationError {
            throw IdentityError(.failed, "ssh-keygen was interrupted")
        } catch {
            throw IdentityError(.keygenUnavailable, "cannot run \(executable): \(error)")
        }
    }

    private static func requireFile(_ allowedSigners: String) throws(IdentityError) {
        guard FileManager.default.isReadableFile(atPath: allowedSigners) else {
            throw IdentityError(.allowedSignersInvalid, "cannot read the allowed_signers file \(allowedSigners)")
        }
    }

    static let noReason = "no reason given"

    /// The lines of ssh-keygen's standard error that say what went wrong (not its chatter).
    static func reason(_ stderr: String) -> String {
        let lines = stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty && !$0.hasPrefix("Signing data on standard input") && !$0.hasPrefix("Enter passphrase") }
        return lines.isEmpty ? noReason : lines.joined(separator: "; ")
    }
}
