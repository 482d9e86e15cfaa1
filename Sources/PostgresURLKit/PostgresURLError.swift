/// A PostgreSQL URL that cannot be used: malformed, an unknown `sslmode`, an unreadable
/// `sslrootcert`, TLS that cannot be set up. The message never holds the password; callers
/// prefix the setting it came from (`database.url: ...`, `ETL_DATABASE_URL: ...`).
public struct PostgresURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// The URL or one of its parameters is wrong: a usage error.
        case configuration
        /// TLS could not be set up from the URL's settings.
        case tls
    }

    /// What kind of failure.
    public var code: Code
    /// What is wrong, without the password.
    public var message: String

    /// A failure of kind `code`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message alone.
    public var description: String { message }
}
