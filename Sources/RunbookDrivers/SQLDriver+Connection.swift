import Foundation
import Logging
import PostgresNIO
import PostgresURLKit
import RunbookCore
import Synchronization

extension SQLDriver {
    /// Leases a pool connection for `body`, failing fast when PostgreSQL cannot be reached: as
    /// soon as the pool reports a failed connection attempt (refused, login rejected...), or
    /// after the connect timeout when no connection was ever made. Once connected, a lease may
    /// wait for a busy connection as long as the step allows.
    func withLease<R: Sendable>(step: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        let client = try startForStep(step)
        let url = try url.get()
        let watch = LeaseWatch()
        let failuresBefore = failures.total
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    watch.leased.store(true, ordering: .releasing)
                    self.everConnected.store(true, ordering: .relaxed)
                    return try await body(connection)
                }
            }
            group.addTask {
                try await self.watchLease(watch, failuresBefore: failuresBefore, url: url, step: step)
                return nil
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let value = next { return value }
            }
            throw CancellationError()
        }
    }

    func startForStep(_ step: String) throws(DriverError) -> PostgresClient {
        do { return try start() } catch { throw DriverError(error.code, "step '\(step)': \(error.message)") }
    }

    /// Returns once `watch` says the lease was granted; throws when connecting failed.
    private func watchLease(_ watch: LeaseWatch, failuresBefore: Int, url: PostgresURL, step: String) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + (url.connectTimeout ?? options.connectTimeout)
        var seen = failuresBefore
        while !watch.leased.load(ordering: .acquiring) {
            if failures.total > seen {
                if let error = await diagnose(url: url, step: step) { throw error }
                seen = failures.total
            }
            if !everConnected.load(ordering: .relaxed), clock.now >= deadline {
                throw DriverError(.timedOut, "step '\(step)': no connection to \(Self.target(url)) within \(DurationText.format(url.connectTimeout ?? options.connectTimeout))")
            }
            // Once the pool has connected, only a failed attempt ends the wait early (a shared
            // pool's leases wait their turn; a watcher waking every 10 ms each only adds work).
            try await Task.sleep(for: .milliseconds(everConnected.load(ordering: .relaxed) ? 50 : 10))
        }
    }

    /// Connects once outside the pool to learn why the pool could not (the pool only logs it):
    /// nil when that connection works.
    func diagnose(url: PostgresURL, step: String) async -> DriverError? {
        let timeout = url.connectTimeout ?? options.connectTimeout
        do {
            let config = try url.connectionConfiguration(connectTimeout: timeout, applicationName: options.applicationName)
            let connection = try await withDeadline(timeout) {
                try await PostgresConnection.connect(on: self.eventLoops.group.any(), configuration: config, id: 0, logger: Self.quietLogger)
            }
            try? await connection.close()
            return nil
        } catch let error as PostgresURLError {
            let failure = DriverError(error, setting: database.setting)
            return DriverError(failure.code, "step '\(step)': \(failure.message)")
        } catch {
            let failure = Self.connectFailure(error, url: url, timeout: timeout)
            return DriverError(failure.code, "step '\(step)': \(failure.message)")
        }
    }

    static let quietLogger = Logger(label: "runbook.sql") { _ in SwiftLogNoOpLogHandler() }

    /// "PostgreSQL at host:port (database d, user u)": never the password.
    static func target(_ url: PostgresURL) -> String {
        "PostgreSQL at \(url.endpoint) (database \(url.database), user \(url.user))"
    }

    /// Why a connection could not be made, in words, with its code: `unreachable` and
    /// `timedOut` only when PostgreSQL could not be reached; a refused login is
    /// `authentication`, a TLS failure `tls`, a database that does not exist `configuration`.
    static func connectFailure(_ error: any Error, url: PostgresURL, timeout: Duration) -> DriverError {
        let target = target(url)
        if let p = error as? PSQLError {
            if let info = p.serverInfo, let state = info[.sqlState] {
                let code: DriverError.Code = switch state {
                case "28P01", "28000": .authentication
                case "3D000": .configuration
                case "57P03", "53300", "57P01": .unreachable
                default: .refused
                }
                return DriverError(code, "\(target) refused the connection: SQLSTATE \(state): \(info[.message] ?? "")")
            }
            if p.code == .sslUnsupported {
                return DriverError(.tls, "\(target) does not accept TLS, which sslmode=\(url.sslMode.rawValue) requires")
            }
            if p.code == .connectionError || p.code == .serverClosedConnection || p.code == .uncleanShutdown {
                return DriverError(code(of: p.underlying), "cannot connect to \(target): \(reason(p.underlying))")
            }
            return DriverError(.failed, "cannot connect to \(target): \(p.code)")
        }
        if error is TimeoutError { return DriverError(.timedOut, "no answer from \(target) within \(DurationText.format(timeout))") }
        if let e = error as? DriverError { return e }
        return DriverError(code(of: error), "cannot connect to \(target): \(reason(error))")
    }

    /// The code of a network-level error: TLS failures are `tls`, everything else that kept
    /// us from the server is `unreachable`.
    static func code(of error: (any Error)?) -> DriverError.Code {
        switch error {
        case is NIOSSLError, is NIOSSLExtraError: .tls
        case let c as NIOConnectionError: c.connectionErrors.first.map { code(of: $0.error) } ?? .unreachable
        case let c as ChannelError: if case .connectTimeout = c { .timedOut } else { .unreachable }
        case let p as PSQLError: code(of: p.underlying)
        default: .unreachable
        }
    }

    /// A short reason for a network-level error (no addresses of other hosts, no secrets).
    static func reason(_ error: (any Error)?) -> String {
        switch error {
        case nil:
            return "the connection was closed"
        case let io as IOError:
            return String(cString: strerror(io.errnoCode)).lowercased()
        case let c as NIOConnectionError:
            if let first = c.connectionErrors.first { return reason(first.error) }
            if c.dnsAError != nil || c.dnsAAAAError != nil { return "cannot resolve host '\(c.host)'" }
            return "connection failed"
        case let ssl as NIOSSLError:
            if "\(ssl)".contains("CERTIFICATE_VERIFY_FAILED") {
                return "TLS handshake failed: the server's certificate could not be verified (check sslrootcert)"
            }
            return "TLS handshake failed"
        case let ssl as NIOSSLExtraError:
            return "TLS: \(ssl)"
        case let c as ChannelError:
            if case .connectTimeout = c { return "connect timed out" }
            return "\(c)"
        case let p as PSQLError:
            if let info = p.serverInfo, let state = info[.sqlState] { return "SQLSTATE \(state): \(info[.message] ?? "")" }
            return p.underlying.map { reason($0) } ?? "\(p.code)"
        case let other?:
            return "\(other)"
        }
    }

    /// The step's error for a statement that failed: SQLSTATE and the server's message.
    static func queryFailure(_ error: any Error, step: String, url: PostgresURL, statementTimeoutMs: Int64) -> any Error {
        if error is DriverError || error is CancellationError { return error }
        guard let p = error as? PSQLError else { return DriverError("step '\(step)': \(error)") }
        if let info = p.serverInfo, let state = info[.sqlState] {
            var text = "step '\(step)': SQLSTATE \(state): \(info[.message] ?? "")"
            if let detail = info[.detail] { text += " (detail: \(detail))" }
            if let hint = info[.hint] { text += " (hint: \(hint))" }
            if state == "57014" { text += " (statement_timeout \(statementTimeoutMs) ms)" }
            // 25006: a write in a read-only check; 42xxx: the statement itself is wrong.
            return DriverError(state.hasPrefix("08") ? .unreachable : state == "57014" ? .timedOut : .refused, text)
        }
        if [.connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection].contains(p.code) {
            return DriverError(.unreachable, "step '\(step)': lost the connection to \(target(url)): \(reason(p.underlying))")
        }
        return DriverError("step '\(step)': PostgreSQL client error: \(p.code)")
    }
}
