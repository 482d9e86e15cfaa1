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
    ///
    /// A key's `valid-after`/`valid-before` are checked at the checkpoint's own `time`, so a
    /// key retired with `valid-before` still verifies what it signed while it was valid.
    public static func verify(_ checkpoint: Checkpoint, allowedSigners: String, keygen: SSHKeygen = SSHKeygen()) async throws(IdentityError) {
        guard !checkpoint.signature.isEmpty else { throw IdentityError(.signatureInvalid, "the checkpoint is not signed") }
        try await keygen.verify(message: Array(checkpoint.signedText.utf8), signature: checkpoint.signature,
                                principal: checkpoint.principal, allowedSigners: allowedSigners, verifyTime: checkpoint.verifyTime)
    }

    /// ``Checkpoint/time`` as ssh-keygen's `verify-time` (`YYYYMMDDHHMMSSZ`); nil when it is not
    /// an ISO 8601 UTC time (then keys are checked at the current time).
    var verifyTime: String? {
        let digits = time.prefix(19).filter(\.isNumber)
        guard time.hasSuffix("Z"), digits.count == 14 else { return nil }
        return digits + "Z"
    }
}
