import Foundation
import PostgresNIO

/// A parsed `postgres://user:password@host:port/database?sslmode=...` URL.
///
/// `sslmode` follows libpq: `disable` turns TLS off, `prefer` (the default) tries TLS and
/// falls back, `require`/`verify-ca`/`verify-full` insist on it. A `host` query value that
/// starts with `/` names a Unix socket folder, as libpq does.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    /// User name to log in with.
    public var username: String
    /// Password, if any. Never part of ``description``.
    public var password: String?
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Database name.
    public var database: String
    /// libpq-style sslmode.
    public var sslMode: String
    /// Unix socket folder, when the URL names one.
    public var socketDirectory: String?

    /// Parses a URL; throws ``ETLError`` with code `.configuration` when it is malformed.
    public init(_ text: String) throws {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql"
        else {
            throw ETLError(.configuration, "database URL must look like postgres://user:password@host:port/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard let user = components.user, !user.isEmpty, !database.isEmpty else {
            throw ETLError(.configuration, "database URL needs a user and a database name")
        }
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.host = components.host ?? "127.0.0.1"
        self.port = components.port ?? 5432
        self.database = database.removingPercentEncoding ?? database
        let items = components.queryItems ?? []
        self.sslMode = items.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        if let socketHost = items.first(where: { $0.name == "host" })?.value, socketHost.hasPrefix("/") {
            self.socketDirectory = socketHost
        }
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslMode) else {
            throw ETLError(.configuration, "unknown sslmode '\(sslMode)' in database URL")
        }
    }

    /// `host:port/database` with no credentials, for messages.
    public var description: String {
        if let socketDirectory { return "\(socketDirectory):\(port)/\(database)" }
        return "\(host):\(port)/\(database)"
    }

    /// The same URL pointing at another database of the same server.
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// A PostgresNIO client configuration for this URL.
    public func clientConfiguration() -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketDirectory {
            configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)",
                username: username, password: password, database: database
            )
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch sslMode {
            case "disable", "allow": tls = .disable
            case "prefer": tls = .prefer(.makeClientConfiguration())
            default: tls = .require(.makeClientConfiguration())
            }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
