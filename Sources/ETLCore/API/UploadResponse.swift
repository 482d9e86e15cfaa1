/// Answer of `POST /files` (201).
public struct UploadResponse: Codable, Sendable {
    /// The new file's id.
    public var id: Int64
    /// Its name.
    public var filename: String
    /// Always `uploaded`.
    public var status: String
}
