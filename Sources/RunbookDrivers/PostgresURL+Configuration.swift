import NIOSSL
import PostgresNIO
import RunbookCore

extension PostgresURL {
    /// The pool configuration: `connectTimeout` unless the URL sets `connect_timeout`, at most
    /// `maxConnections` connections, `application_name` sent at start-up.
    func clientConfiguration(connectTimeout: Duration, maxConnections: Int, applicationName: String) throws(DriverError) -> PostgresClient.Configuration {
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
        config.options.maximumConnections = max(1, maxConnections)
        config.options.additionalStartupParameters = [("application_name", self.applicationName ?? applicationName)]
        return config
    }

    /// The configuration of a single connection outside the pool (the run lock, connection
    /// diagnostics).
    func connectionConfiguration(connectTimeout: Duration, applicationName: String) throws(DriverError) -> PostgresConnection.Configuration {
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
            } catch let error as DriverError {
                throw error
            } catch {
                throw DriverError(.tls, "cannot set up TLS for \(endpoint): \(error)")
            }
            config = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        let timeout = self.connectTimeout ?? connectTimeout
        config.options.connectTimeout = .milliseconds(timeout.milliseconds)
        config.options.additionalStartupParameters = [("application_name", self.applicationName ?? applicationName)]
        return config
    }
}
