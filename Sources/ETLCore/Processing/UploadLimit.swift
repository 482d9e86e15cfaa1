/// The one limit on a file's size, configured once (`ETL_MAX_UPLOAD_BYTES`) and applied by
/// both the API, which refuses a larger upload with 413, and the worker, which fails a larger
/// stored file with a permanent `resource` error. No retry makes a file smaller: the sender
/// must split it, or an operator must raise the limit.
public enum UploadLimit {
    /// 8 MiB.
    public static let defaultBytes = 8 * 1024 * 1024
    /// The largest value `ETL_MAX_UPLOAD_BYTES` accepts (256 MiB).
    public static let maximumBytes = 256 * 1024 * 1024

    /// The error text for content of `contentBytes` bytes, or nil when it fits.
    public static func rejection(contentBytes: Int, limit: Int) -> String? {
        contentBytes <= limit ? nil : "file too large: \(contentBytes) bytes exceeds the \(limit)-byte limit"
    }

    /// How much of a `POST /files` body is read: the content JSON-escaped (a CSV's newlines
    /// and quotes take two bytes each) plus room for the file name.
    static func bodyBytes(forContentLimit limit: Int) -> Int {
        2 * limit + 64 * 1024
    }
}
