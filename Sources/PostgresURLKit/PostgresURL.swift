import Foundation
public import NIOSSL

/// A parsed `postgres://user:pass@host:port/db?sslmode=...` URL (also `postgresql://`).
///
/// Understood query parameters: `sslmode` (`disable`, `allow`, `prefer`, `require`,
/// `verify-ca`, `verify-full`; default `prefer`), `sslrootcert` (a PEM file of trusted roots),
/// `connect_timeout` (seconds), `application_name`, and `host` (a Unix socket folder when it
/// starts with `/`). `prefer` and `allow` mean "no TLS" for a loopback host (127.0.0.0/8, ::1,
/// localhost) and "TLS if the server offers it, unverified" otherwise, as libpq does.
/// `description` never shows the password. The one parser of these URLs: the runbook's drivers
/// and ledger, the console and etl-core all read theirs with it.
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    /// How TLS is used, from `sslmode`.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    public var sslRootCert: String?
    /// A Unix socket folder (`?host=/var/run/postgresql`), used instead of TCP.
    public var socketDirectory: String?
    public var connectTimeout: Duration?
    public var applicationName: String?

    /// Parses `text`; the error never contains the password.
    public init(_ text: String) throws(PostgresURLError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw PostgresURLError(.configuration, "not a postgres:// URL (postgres://USER:PASSWORD@HOST:PORT/DB)")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        host = components.writtenHost.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        port = components.port ?? 5432
        user = components.percentEncodedUser?.removingPercentEncoding ?? ""
        password = components.percentEncodedPassword?.removingPercentEncoding
        guard !user.isEmpty else { throw PostgresURLError(.configuration, "no user name (postgres://USER:PASSWORD@\(host):\(port)/DB)") }
        let path = components.percentEncodedPath.removingPercentEncoding ?? ""
        database = path.hasPrefix("/") ? String(path.dropFirst()) : path
        if database.isEmpty { database = user }
        if let mode = query["sslmode"], !mode.isEmpty {
            guard let parsed = SSLMode(rawValue: mode) else {
                throw PostgresURLError(.configuration, "unknown sslmode '\(mode)' (one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            sslMode = parsed
        } else {
            sslMode = .prefer
        }
        sslRootCert = query["sslrootcert"].flatMap { $0.isEmpty ? nil : $0 }
        if let h = query["host"], h.hasPrefix("/") { socketDirectory = h }
        if let t = query["connect_timeout"], !t.isEmpty {
            guard let seconds = Int(t), seconds > 0 else { throw PostgresURLError(.configuration, "connect_timeout must be a number of seconds, got '\(t)'") }
            connectTimeout = .seconds(seconds)
        }
        applicationName = query["application_name"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `host:port` (or the socket path), for messages.
    public var endpoint: String {
        if let socketDirectory { return "\(socketDirectory)/.s.PGSQL.\(port)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(endpoint)/\(database)?sslmode=\(sslMode.rawValue)"
    }

    /// `host:port/database` (or the socket path), with no credentials: for logs and messages.
    public var location: String { "\(endpoint)/\(database)" }

    /// The same URL pointing at another database of the same server.
    public func with(database: String) -> PostgresURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// True for 127.0.0.0/8, ::1 and localhost.
    public var isLoopback: Bool {
        socketDirectory != nil || host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// What TLS this URL's `sslmode` asks for.
    public enum TLSChoice {
        case disable
        case prefer(TLSConfiguration)
        case require(TLSConfiguration)
    }

    /// The TLS this URL asks for: none on a Unix socket or a loopback `prefer`, unverified for
    /// `prefer`/`require`, verified for `verify-ca`/`verify-full` (against `sslrootcert` if given).
    public func tlsChoice() throws(PostgresURLError) -> TLSChoice {
        if socketDirectory != nil { return .disable }
        var config = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable:
            return .disable
        case .allow, .prefer:
            if isLoopback { return .disable }
            config.certificateVerification = .none
            return .prefer(config)
        case .require:
            config.certificateVerification = .none
            return .require(config)
        case .verifyCA, .verifyFull:
            config.certificateVerification = sslMode == .verifyFull ? .fullVerification : .noHostnameVerification
            if let sslRootCert {
                guard FileManager.default.isReadableFile(atPath: sslRootCert) else {
                    throw PostgresURLError(.configuration, "sslrootcert '\(sslRootCert)' cannot be read")
                }
                config.trustRoots = .file(sslRootCert)
            }
            return .require(config)
        }
    }
}
