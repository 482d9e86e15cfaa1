import RunbookCore

/// Why an incident command could not do its job. The message never holds a channel's URL or
/// secret, nor the ledger's password.
public struct IncidentError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for exit codes.
    public enum Code: Sendable {
        /// The user must fix something: an unknown or resolved incident, a bad value, a missing
        /// template or channel (exit 2).
        case invalid
        /// A channel or the ledger cannot be reached now (exit 4).
        case unreachable
    }

    /// What kind of failure.
    public var code: Code
    /// What happened, in words.
    public var message: String

    /// An error of `code`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The incident view of a ledger error: what the user must fix is `invalid`, anything else
    /// `unreachable`.
    public init(_ error: LedgerError) {
        switch error.code {
        case .configuration, .noSchema, .newerSchema: self.init(.invalid, error.message)
        default: self.init(.unreachable, error.message)
        }
    }

    public var description: String { message }
}
