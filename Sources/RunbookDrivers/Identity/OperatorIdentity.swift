import Foundation
import RunbookCore

/// Who is running, proved by their SSH key: the principal of an environment's
/// `allowed_signers` file that holds the key.
///
/// Resolution signs a fresh challenge with the key (`ssh-keygen -Y sign`, namespace
/// `runbook`), asks `ssh-keygen -Y find-principals` whose key made it, then checks the
/// signature with `ssh-keygen -Y verify` for that principal: only a key that can sign *and*
/// that the file allows for a principal (and for the `runbook` namespace, and at this time)
/// names an operator.
public struct OperatorIdentity: Sendable, Hashable {
    /// The principal, as the audit log records it (`run.started` `operator`).
    public var principal: String
    /// The key that proved it (a private key file, or a public key held by ssh-agent).
    public var key: String
    /// The allowed_signers file it was checked against.
    public var allowedSigners: String

    /// An identity already proved.
    public init(principal: String, key: String, allowedSigners: String) {
        self.principal = principal
        self.key = key
        self.allowedSigners = allowedSigners
    }

    /// The key named by `--key` (`flag`), else `$RUNBOOK_SIGNING_KEY`; nil when neither is set.
    /// A relative path is taken from the current folder.
    public static func keyPath(flag: String?, environment: [String: String]) -> String? {
        guard let path = [flag, environment["RUNBOOK_SIGNING_KEY"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) else { return nil }
        return path.hasPrefix("/") ? path : URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
    }

    /// Proves who holds `key`: the principal of `allowedSigners` (a file already parsed by
    /// ``AllowedSigners``; `allowedSignersPath` is where it is) whose key it is.
    ///
    /// When the file names the key by a pattern (`*@example.com`), `claimed` (the operator's
    /// `--operator`) is the principal if the pattern allows it; without one, the pattern
    /// cannot name anybody and resolution fails.
    public static func resolve(key: String, allowedSigners allowedSignersPath: String, claimed: String? = nil,
                               keygen: SSHKeygen = SSHKeygen()) async throws(IdentityError) -> OperatorIdentity
    {
        let nonce = (0..<16).map { _ in UInt8.random(in: 0...255) }
        let challenge = Array("runbook identity challenge \(Hex.encode(nonce))\n".utf8)
        let signature = try await keygen.sign(message: challenge, key: key)
        let found = try await keygen.findPrincipals(signature: signature, allowedSigners: allowedSignersPath)
        guard !found.isEmpty else {
            throw IdentityError(.notAllowed, "the key \(key) belongs to no allowed signer of \(allowedSignersPath): ask for its public key to be added there")
        }
        var candidates = found.filter { !AllowedSigner.isPattern($0) }
        if let claimed, !claimed.isEmpty, !candidates.contains(claimed) { candidates.append(claimed) }
        var lastError: IdentityError?
        for principal in candidates {
            do {
                try await keygen.verify(message: challenge, signature: signature, principal: principal, allowedSigners: allowedSignersPath)
                return OperatorIdentity(principal: principal, key: key, allowedSigners: allowedSignersPath)
            } catch {
                lastError = error
            }
        }
        if candidates.isEmpty {
            throw IdentityError(.notAllowed, "the key \(key) is allowed in \(allowedSignersPath) only by a pattern (\(found.joined(separator: ", "))); "
                + "name yourself with --operator to be checked against it")
        }
        // Found, but not valid for runbook signatures here and now (namespaces, valid-after/before).
        throw IdentityError(.notAllowed, "the key \(key) is listed in \(allowedSignersPath) for \(found.joined(separator: ", ")), "
            + "but not for runbook signatures now: \(lastError?.message ?? "it does not verify")")
    }
}
