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
}
