import Foundation
import Crypto

/// `ssh-keygen -Y sign`, in process, for the plain case only: an unencrypted OpenSSH
/// `ssh-ed25519` private key file (openssh-key-v1, cipher `none`) that only its owner may
/// read. The runner signs a checkpoint at the end of every run; a `ssh-keygen` process for it
/// costs ~12 ms of every run's answer. Any other key (a passphrase, another type, an agent's,
/// a file others may read, which ssh-keygen refuses) gives nil: sign with ``SSHKeygen``.
/// The signature is PROTOCOL.sshsig's, as ssh-keygen writes it (SHA-512 of the message);
/// `SSHSignerTests` verifies it with `ssh-keygen -Y verify`.
public struct SSHSigner: Sendable {
    /// The key file it was read from.
    public let keyPath: String
    /// The private key's 32-byte seed (a Curve25519 key is made from it for each signature).
    let seed: Data
    /// The public key's wire blob (`string "ssh-ed25519", string key`).
    let publicBlob: Data

    /// The signer of the key at `path`; nil outside the plain case.
    public init?(keyFile path: String) {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o077 == 0, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.count >= 3, lines.first == "-----BEGIN OPENSSH PRIVATE KEY-----", lines.last == "-----END OPENSSH PRIVATE KEY-----",
              let blob = Data(base64Encoded: lines.dropFirst().dropLast().joined())
        else { return nil }
        var reader = SSHWireReader(blob)
        guard reader.bytes(15) == Data("openssh-key-v1\0".utf8), reader.string() == Data("none".utf8), reader.string() == Data("none".utf8),
              reader.string() != nil, reader.uint32() == 1, let publicBlob = reader.string(), let secret = reader.string()
        else { return nil }
        var keys = SSHWireReader(secret)
        guard let check1 = keys.uint32(), check1 == keys.uint32(), keys.string() == Data("ssh-ed25519".utf8), let publicKey = keys.string(),
              publicKey.count == 32, let pair = keys.string(), pair.count == 64, pair.suffix(32) == publicKey,
              let privateKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: pair.prefix(32)),
              privateKey.publicKey.rawRepresentation == publicKey
        else { return nil }
        var expected = Data()
        SSHWireReader.append(Data("ssh-ed25519".utf8), to: &expected)
        SSHWireReader.append(publicKey, to: &expected)
        guard expected == publicBlob else { return nil }
        keyPath = path
        seed = privateKey.rawRepresentation
        self.publicBlob = publicBlob
    }

    /// The armored signature of `message` in `namespace` (`-----BEGIN SSH SIGNATURE-----`...).
    public func sign(_ message: [UInt8], namespace: String) throws -> String {
        let hashName = Data("sha512".utf8)
        var signed = Data("SSHSIG".utf8)
        for field in [Data(namespace.utf8), Data(), hashName, Data(SHA512.hash(data: message))] { SSHWireReader.append(field, to: &signed) }
        var signature = Data()
        SSHWireReader.append(Data("ssh-ed25519".utf8), to: &signature)
        SSHWireReader.append(try Curve25519.Signing.PrivateKey(rawRepresentation: seed).signature(for: signed), to: &signature)
        var blob = Data("SSHSIG".utf8)
        blob.append(contentsOf: [0, 0, 0, 1])
        for field in [publicBlob, Data(namespace.utf8), Data(), hashName, signature] { SSHWireReader.append(field, to: &blob) }
        let base64 = Array(blob.base64EncodedString())
        let lines = stride(from: 0, to: base64.count, by: 70).map { String(base64[$0..<min($0 + 70, base64.count)]) }
        return "-----BEGIN SSH SIGNATURE-----\n" + lines.joined(separator: "\n") + "\n-----END SSH SIGNATURE-----\n"
    }
}
