/// Answer of `POST /files/{id}/reprocess`.
public struct ReprocessResponse: Codable, Sendable {
    /// The file's id.
    public var id: Int64
    /// Its new status, `uploaded`.
    public var status: String
    /// Its status before.
    public var previousStatus: String

    enum CodingKeys: String, CodingKey {
        case id, status
        case previousStatus = "previous_status"
    }
}
