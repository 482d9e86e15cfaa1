/// Why something failed, as the seed runbook classifies it (`error_type` in `etl_file` and
/// `etl_dead_letter_queue`).
public enum ErrorType: String, Codable, Sendable, CaseIterable {
    /// The input's shape is wrong: a missing column, a non-number where a number belongs.
    case validation
    /// A dependency could not be reached; transient, worth retrying.
    case connection
    /// A limit of the service was exceeded. The one etl-core emits is "file too large" (the
    /// upload limit, `UploadLimit`): permanent, since no retry makes the file smaller.
    case resource
    /// Well-formed input with values that make no sense (negative weight, duplicate lot).
    case data

    /// The kinds `POST /dlq/resolve-transient` resolves: a retry is expected to succeed.
    /// Only `connection`: every other kind fails again on retry and stays for a person.
    public static let transient: [ErrorType] = [.connection]
}
