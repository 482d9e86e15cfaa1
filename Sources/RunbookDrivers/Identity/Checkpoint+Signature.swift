public import RunbookCore

extension Checkpoint {
    /// A copy signed with `key` (`ssh-keygen -Y sign`, namespace `runbook`, over
    /// ``Checkpoint/signedText``).
    public func signed(key: String, keygen: SSHKeygen = SSHKeygen()) async throws(IdentityError) -> Checkpoint {
        var copy = self
        copy.signature = try await keygen.sign(message: Array(signedText.utf8), key: key)
        return copy
    }

    /// Checks that `checkpoint` was signed by its ``Checkpoint/principal`` with a key that the
    /// allowed_signers file at `allowedSigners` allows for that principal and for `runbook`
    /// signatures. Throws ``IdentityError/Code/signatureInvalid`` when it was not (forged, edited
    /// after signing, or signed by a key nobody allowed); other codes when it cannot be checked.
    public static func verify(_ checkpoint: Checkpoint, allowedSigners: String, keygen: SSHKeygen = SSHKeygen()) async throws(IdentityError) {
        guard !checkpoint.signature.isEmpty else { throw IdentityError(.signatureInvalid, "the checkpoint is not signed") }
        try await keygen.verify(message: Array(checkpoint.signedText.utf8), signature: checkpoint.signature,
                                principal: checkpoint.principal, allowedSigners: allowedSigners)
    }
}
