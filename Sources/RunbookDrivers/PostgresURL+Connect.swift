public import PostgresNIO
public import PostgresURLKit
public import RunbookCore

extension PostgresURL {
    /// One connection outside any pool (the ledger), on `eventLoops`, within `timeout` (or the
    /// URL's `connect_timeout`). Failures come back as ``DriverError`` with their code
    /// (`unreachable`, `timedOut`, `authentication`, `tls`, `configuration`) and a message that
    /// names the server but never the password. `settings`: run-time parameters set for the
    /// session in the start-up message (no extra round trip), such as `synchronous_commit`.
    /// `setting`: where the URL came from, for messages.
    public func connect(on eventLoops: DriverEventLoops, timeout: Duration, applicationName: String,
                        settings: [(String, String)] = [], setting: String = "ledger.url") async throws(DriverError) -> PostgresConnection
    {
        let limit = connectTimeout ?? timeout
        var configuration: PostgresConnection.Configuration
        do {
            configuration = try connectionConfiguration(connectTimeout: limit, applicationName: applicationName)
        } catch {
            throw DriverError(error, setting: setting)
        }
        configuration.options.additionalStartupParameters += settings
        let config = configuration
        do {
            return try await withDeadline(limit) {
                try await PostgresConnection.connect(on: eventLoops.group.any(), configuration: config, id: 1, logger: SQLDriver.quietLogger)
            }
        } catch {
            throw SQLDriver.connectFailure(error, url: self, timeout: limit)
        }
    }

    /// "PostgreSQL at host:port (database d, user u)": never the password.
    public var target: String { SQLDriver.target(self) }
}
