import Foundation
import Crypto
public import RunbookCore

/// `ssh-keygen -Y verify`, in process, for the plain case only: an SSHSIG signature
/// (PROTOCOL.sshsig) by an `ssh-ed25519` key that the allowed_signers file lists on lines
/// without options (no `cert-authority`, `namespaces`, `valid-after` or `valid-before`). The
/// runner verifies every request; two `ssh-keygen` processes per request cost it ~25 ms of the
/// ~15 ms its overhead may have. Anything else (another key type, a line with options, a key
/// on lines of both kinds, a blob it cannot read) is not decided here: ``principal(signing:message:namespace:)``
/// answers `.undecided` and the caller asks `ssh-keygen`, as before. It accepts only what
/// `ssh-keygen -Y verify` accepts (`SSHSignatureVerifierTests` compares the two).
public struct SSHSignatureVerifier: Sendable {
    /// Each plain ed25519 key's wire blob, and the principals of its lines (file order).
    let plain: [Data: [String]]
    /// The blobs of keys that also appear on a line with options, patterns or several
    /// principals (which the runner's `ssh-keygen` path does not accept either): never decided here.
    let restricted: Set<Data>

    /// The verdict on one signature.
    public enum Verdict: Sendable, Equatable {
        /// Valid, by this principal (the first name, in file order, of the key's lines).
        case principal(String)
        /// Not a valid signature of the message in the namespace by a plain listed key.
        case invalid
        /// Outside the plain case: ask `ssh-keygen`.
        case undecided
    }

    /// The verifier of `signers` (an allowed_signers file, parsed).
    public init(_ signers: AllowedSigners) {
        var plain: [Data: [String]] = [:]
        var restricted = Set<Data>()
        for signer in signers.signers {
            guard let blob = Data(base64Encoded: signer.key) else { continue }
            let simple = signer.keyType == "ssh-ed25519" && !signer.certificateAuthority && signer.namespaces == nil
                && signer.validAfter == nil && signer.validBefore == nil
                && signer.principals.count == 1 && !signer.principals.contains(where: AllowedSigner.isPattern)
            if simple {
                plain[blob, default: []].append(contentsOf: signer.principals)
            } else {
                restricted.insert(blob)
            }
        }
        self.plain = plain
        self.restricted = restricted
    }

    /// The principal whose key made `armored` (an `-----BEGIN SSH SIGNATURE-----` block) over
    /// `message` in `namespace`.
    public func principal(signing armored: String, message: [UInt8], namespace: String) -> Verdict {
        guard let blob = Self.dearmor(armored) else { return .undecided }
        var reader = SSHWireReader(blob)
        guard reader.bytes(6) == Data("SSHSIG".utf8), reader.uint32() == 1,
              let publicKey = reader.string(), let signedNamespace = reader.string(), let reserved = reader.string(),
              let hashName = reader.string(), let signature = reader.string(), reader.isAtEnd
        else { return .undecided }
        guard !restricted.contains(publicKey), let principals = plain[publicKey], let first = principals.first else { return .undecided }
        var keyReader = SSHWireReader(publicKey)
        guard keyReader.string() == Data("ssh-ed25519".utf8), let rawKey = keyReader.string(), rawKey.count == 32, keyReader.isAtEnd,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawKey)
        else { return .undecided }
        var signatureReader = SSHWireReader(signature)
        guard signatureReader.string() == Data("ssh-ed25519".utf8), let rawSignature = signatureReader.string(), rawSignature.count == 64,
              signatureReader.isAtEnd
        else { return .invalid }
        guard signedNamespace == Data(namespace.utf8) else { return .invalid }
        let digest: Data
        switch String(decoding: hashName, as: UTF8.self) {
        case "sha512": digest = Data(SHA512.hash(data: message))
        case "sha256": digest = Data(SHA256.hash(data: message))
        default: return .invalid
        }
        var signed = Data("SSHSIG".utf8)
        for field in [signedNamespace, reserved, hashName, digest] { SSHWireReader.append(field, to: &signed) }
        return key.isValidSignature(rawSignature, for: signed) ? .principal(first) : .invalid
    }

    /// The bytes of an armored signature; nil when it is not one.
    static func dearmor(_ text: String) -> Data? {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.count >= 3, lines.first == "-----BEGIN SSH SIGNATURE-----", lines.last == "-----END SSH SIGNATURE-----" else { return nil }
        return Data(base64Encoded: lines.dropFirst().dropLast().joined())
    }
}
