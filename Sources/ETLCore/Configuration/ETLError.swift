/// An error raised by the ETL core, with a stable code and words fit for an operator.
///
/// The `description` never carries a password or a token: messages are written by this
/// module, and database URLs are shown without their credentials.
public struct ETLError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is; extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let rawValue: String
        /// The configuration (environment variables) is missing or invalid.
        public static let configuration = Code(rawValue: "configuration")
        /// A migration could not be applied.
        public static let migration = Code(rawValue: "migration")
        /// The database could not be reached or answered with an error.
        public static let database = Code(rawValue: "database")
        public var description: String { rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// A readable message, safe to print.
    public let message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
