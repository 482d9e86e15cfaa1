/// A signed chain head as the ledger stores it (`runbook.checkpoints`): the record at `seq` of
/// `source` had hash `hash`, and `principal` signed that (with the previous checkpoint's hash,
/// so checkpoints chain too).
public struct LedgerCheckpoint: Sendable, Hashable {
    /// The local log (hash of its first record).
    public var source: String
    /// The seq of the chain head signed.
    public var seq: Int
    /// The hash of the record at `seq`.
    public var hash: String
    /// The hash of the previous checkpoint of the source (64 zeros for the first).
    public var previous: String
    /// Who signed: an allowed signer's principal.
    public var principal: String
    /// The run that ended with it; nil for `runbook audit checkpoint`.
    public var runID: String?
    /// When it was signed (ISO 8601, UTC).
    public var signedAt: String
    /// The `ssh-keygen -Y sign` signature (armored) over the checkpoint's canonical text.
    public var signature: String

    /// A checkpoint from its parts.
    public init(source: String, seq: Int, hash: String, previous: String, principal: String, runID: String?, signedAt: String, signature: String) {
        self.source = source
        self.seq = seq
        self.hash = hash
        self.previous = previous
        self.principal = principal
        self.runID = runID
        self.signedAt = signedAt
        self.signature = signature
    }
}
