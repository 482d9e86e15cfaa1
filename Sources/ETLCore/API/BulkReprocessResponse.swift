/// Answer of `POST /files/reprocess?error=...&since_hours=...`.
public struct BulkReprocessResponse: Codable, Sendable {
    /// How many files went back to `uploaded`.
    public var requeued: Int
    /// The error type matched, or `all`.
    public var errorType: String
    /// The window, in hours.
    public var sinceHours: Int

    enum CodingKeys: String, CodingKey {
        case requeued
        case errorType = "error_type"
        case sinceHours = "since_hours"
    }
}
