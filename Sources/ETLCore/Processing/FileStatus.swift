/// Life cycle of an uploaded file (`etl_file.status`).
public enum FileStatus: String, Codable, Sendable, CaseIterable {
    /// Waiting for the worker.
    case uploaded
    /// Claimed by the worker.
    case processing
    /// Processed; its valid rows are in `cattle_lot`.
    case loaded
    /// Processing failed; `error_type` and `error_message` say why.
    case error
}
