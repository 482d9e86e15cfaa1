import RunbookCore

/// Why the ledger could not be used. The message names the server, never its password.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for exit codes and for "say it once and go on" decisions.
    public enum Code: Sendable {
        /// PostgreSQL cannot be reached (refused, timed out, lost).
        case unreachable
        /// The server refused the login.
        case authentication
        /// No `ledger.url`, a bad URL, a database that does not exist.
        case configuration
        /// The ledger has no schema yet: `runbook ledger init`.
        case noSchema
        /// The ledger was migrated by a newer binary: refused, never changed.
        case newerSchema
        /// The ledger already holds a different record at a seq of this log.
        case conflict
        /// The ledger is too far behind the local log for a run to catch it up on its way.
        case behind
        /// Anything else the server refused.
        case failed
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

    /// The ledger's view of a driver error (a connection that failed).
    init(_ error: DriverError) {
        let code: Code = switch error.code {
        case .unreachable, .timedOut: .unreachable
        case .authentication: .authentication
        case .configuration, .tls: .configuration
        default: .failed
        }
        self.init(code, error.message)
    }

    public var description: String { message }

    /// Whether the ledger is out of reach for now (records wait locally), rather than wrong.
    public var meansUnreachable: Bool { code == .unreachable }
}
