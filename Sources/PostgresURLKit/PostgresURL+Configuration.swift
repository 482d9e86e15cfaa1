import NIOSSL
public import PostgresNIO

extension PostgresURL {
    /// The pool configuration: `connectTimeout` unless the URL sets `connect_timeout`, at most
    /// `maxConnections` connections (PostgresNIO's default when nil), `application_name` sent
    /// at start-up (the URL's, else `applicationName`, else none).
    public func clientConfiguration(connectTimeout: Duration, maxConnections: Int? = nil,
                                    applicationName: String? = nil) throws(PostgresURLError) -> PostgresClient.Configuration
    {
        var config: PostgresClient.Configuration
        if let socketDirectory {
            config = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch try tlsChoice() {
            case .disable: tls = .disable
            case .prefer(let c): tls = .prefer(c)
            case .require(let c): tls = .require(c)
            }
            config = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        config.options.connectTimeout = self.connectTimeout ?? connectTimeout
        config.options.minimumConnections = 0
        if let maxConnections { config.options.maximumConnections = max(1, maxConnections) }
        if let name = self.applicationName ?? applicationName {
            config.options.additionalStartupParameters = [("application_name", name)]
        }
        return config
    }

    /// The configuration of a single connection outside any pool (the run lock, the ledger,
    /// connection diagnostics).
    public func connectionConfiguration(connectTimeout: Duration, applicationName: String) throws(PostgresURLError) -> PostgresConnection.Configuration {
        var config: PostgresConnection.Configuration
        if let socketDirectory {
            config = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            do {
                switch try tlsChoice() {
                case .disable: tls = .disable
                case .prefer(let c): tls = .prefer(try NIOSSLContext(configuration: c))
                case .require(let c): tls = .require(try NIOSSLContext(configuration: c))
                }
            } catch let error as PostgresURLError {
                throw error
            } catch {
                throw PostgresURLError(.tls, "cannot set up TLS for \(endpoint): \(error)")
            }
            config = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        let timeout = self.connectTimeout ?? connectTimeout
        config.options.connectTimeout = .milliseconds(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        config.options.additionalStartupParameters = [("application_name", self.applicationName ?? applicationName)]
        return config
    }
}
