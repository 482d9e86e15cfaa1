/// A file the worker claimed: now `processing`, owned by this worker until it finishes.
public struct ClaimedFile: Sendable {
    /// `etl_file.id`.
    public var id: Int64
    /// Name as uploaded.
    public var filename: String
    /// The CSV, if it is still stored.
    public var content: String?
    /// How many times processing started, this one included.
    public var attempts: Int
    /// `etl_file.claim_token` written by this claim: completing, failing or releasing the file
    /// requires it to be still there (see ``ClaimLost``).
    public var claimToken: String
}
