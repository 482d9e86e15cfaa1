/// Body of `POST /files`.
public struct UploadRequest: Codable, Sendable {
    /// File name, 1 to 255 characters.
    public var filename: String
    /// The CSV text.
    public var content: String

    /// Creates an upload.
    public init(filename: String, content: String) {
        self.filename = filename
        self.content = content
    }
}
