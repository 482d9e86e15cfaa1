public import PostgresURLKit
public import RunbookCore

extension DriverError {
    /// A URL that cannot be used, named by the environment's `setting` (`database.url`,
    /// `ledger.url`): a usage error, or `tls` when TLS could not be set up.
    public init(_ error: PostgresURLError, setting: String) {
        self.init(error.code == .tls ? .tls : .configuration, "\(setting): \(error.message)")
    }
}
