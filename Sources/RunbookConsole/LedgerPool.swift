public import Logging
import PostgresNIO
import PostgresURLKit
import RunbookCore
public import RunbookDrivers
public import RunbookLedger
public import ServiceLifecycle

/// The console's connections to the ledger: one `PostgresClient`, run (and closed on shutdown)
/// by the application's service group. A connection is made when first needed and replaced
/// when the ledger drops it, so the console outlives a restart of the ledger's server.
public struct LedgerPool: Service {
    let client: PostgresClient
    /// The ledger's address, for messages (never the password).
    let target: String
    /// How long a request waits for a connection before the page says the ledger is unreachable.
    let leaseTimeout: Duration

    /// A pool of at most `size` connections to `url`. Throws ``LedgerError`` (`configuration`)
    /// when `url` is not a usable PostgreSQL URL.
    public init(url: String, size: Int, eventLoops: DriverEventLoops, logger: Logger) throws(LedgerError) {
        let parsed: PostgresURL
        let configuration: PostgresClient.Configuration
        do {
            parsed = try PostgresURL(url)
            configuration = try parsed.clientConfiguration(connectTimeout: .seconds(5), maxConnections: size, applicationName: "runbook-console")
        } catch {
            throw LedgerError(.configuration, "ledger.url: \(error.message)")
        }
        client = PostgresClient(configuration: configuration, eventLoopGroup: eventLoops.group, backgroundLogger: logger)
        target = parsed.target
        leaseTimeout = parsed.connectTimeout ?? .seconds(5)
    }

    /// Runs the client until the service group shuts down; then its connections are closed.
    public func run() async throws {
        await client.run()
    }

    /// Runs `body` with a ledger on a leased connection. When no connection comes within the
    /// lease timeout (the ledger is down), fails with ``LedgerError`` `unreachable`; once
    /// leased, `body` takes as long as it takes.
    public func with<T: Sendable>(_ body: @escaping @Sendable (Ledger) async throws -> T) async throws -> T {
        let watch = LeaseWatch()
        let (client, target, timeout) = (client, target, leaseTimeout)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                do {
                    return try await client.withConnection { connection in
                        watch.markLeased()
                        return try await body(Ledger.leased(connection, target: target))
                    }
                } catch where !watch.isLeased && !(error is CancellationError) {
                    throw LedgerError(.unreachable, "ledger at \(target): cannot connect: \(error)")
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                guard watch.isLeased else {
                    throw LedgerError(.unreachable, "ledger at \(target): no connection within \(DurationText.format(timeout))")
                }
                return nil
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let value = next { return value }
            }
            throw CancellationError()
        }
    }
}
