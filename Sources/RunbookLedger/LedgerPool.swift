import Logging
import PostgresNIO
import PostgresURLKit
import RunbookCore
public import RunbookDrivers
import Synchronization

/// The ledger connections that the run writers (``LedgerWriter``) of one long-lived process,
/// the team's runner, share for its whole life: a pool (PostgresNIO's `PostgresClient`, at
/// most `maxConnections`) lent one statement's worth at a time, instead of a new connection
/// (a backend and a SCRAM handshake) per run. The schema is checked once, by the first lease.
///
/// A run's "active" mark cannot live on a lent connection (a session advisory lock stays with
/// the session, and the next borrower would inherit it), so it is taken on the process's own
/// kept connection, given by `marks`: PostgreSQL drops it with that connection, so a runner
/// killed mid-run still leaves its runs without an owner (interrupted), as a run's own
/// connection did.
public final class LedgerPool: Sendable {
    /// The connection the active marks are taken on (the runner's kept ledger connection).
    public typealias Marks = @Sendable () async throws(LedgerError) -> Ledger

    let target: String
    private let client: Result<PostgresClient, LedgerError>
    private let runTask: Task<Void, Never>?
    private let marks: Marks
    /// The schema was found current once.
    private let schemaChecked = Atomic(false)
    /// How long a lease may wait for a connection.
    let timeout: Duration

    /// A pool for the ledger at `url`; nothing connects before the first lease. Writes commit
    /// without waiting for the WAL flush, as a run's own writer connection does.
    public init(url text: String, eventLoops: DriverEventLoops, maxConnections: Int = 4, timeout: Duration = .seconds(5), marks: @escaping Marks) {
        self.marks = marks
        self.timeout = timeout
        var target = "ledger.url"
        var client: Result<PostgresClient, LedgerError>
        do throws(PostgresURLError) {
            let url = try PostgresURL(text)
            target = url.target
            var config = try url.clientConfiguration(connectTimeout: timeout, maxConnections: maxConnections, applicationName: "runbook-ledger")
            config.options.additionalStartupParameters.append(("synchronous_commit", "off"))
            client = .success(PostgresClient(configuration: config, eventLoopGroup: eventLoops.group, backgroundLogger: Ledger.logger))
        } catch {
            client = .failure(LedgerError(.configuration, "ledger.url: \(error.message)"))
        }
        self.target = target
        self.client = client
        runTask = (try? client.get()).map { client in Task { await client.run() } }
    }

    deinit {
        runTask?.cancel()
    }

    /// A connection of the pool for the caller alone until ``LedgerLease/release()``, within
    /// the pool's timeout; the ledger's schema checked by the first one.
    func lease() async throws(LedgerError) -> LedgerLease {
        let client = try self.client.get()
        let target = self.target
        let lease: LedgerLease
        do {
            lease = try await withDeadline(timeout, grace: .zero) { try await Self.lease(client, target: target) }
        } catch let error as LedgerError {
            throw error
        } catch is TimeoutError {
            throw LedgerError(.unreachable, "ledger at \(target): no connection within \(DurationText.format(timeout))")
        } catch {
            throw Ledger.failure(error, doing: "connecting", target: target)
        }
        if !schemaChecked.load(ordering: .acquiring) {
            do {
                try await lease.ledger.requireCurrentSchema()
            } catch {
                lease.release()
                throw error
            }
            schemaChecked.store(true, ordering: .releasing)
        }
        return lease
    }

    /// Holds a pool connection in a task of its own until the lease is released (the pool only
    /// lends for the length of a closure).
    private static func lease(_ client: PostgresClient, target: String) async throws -> LedgerLease {
        let (handoff, handed) = AsyncThrowingStream<LedgerLease, any Error>.makeStream()
        let holder = Task {
            do {
                try await client.withConnection { connection in
                    let (returned, release) = AsyncStream<Void>.makeStream()
                    handed.yield(LedgerLease(ledger: .leased(connection, target: target), release: release))
                    handed.finish()
                    for await _ in returned {}
                }
            } catch {
                handed.finish(throwing: error)
            }
        }
        return try await withTaskCancellationHandler {
            for try await lease in handoff { return lease }
            throw CancellationError()
        } onCancel: {
            holder.cancel()
        }
    }

    /// Marks run `runID` active on the marks connection (nothing when it cannot be had: the
    /// run's records still go to the ledger).
    func mark(runID: String) async -> Bool {
        guard let ledger = try? await marks() else { return false }
        return (try? await ledger.tryMarkActive(runID: runID)) ?? false
    }

    /// Ends the mark of ``mark(runID:)``.
    func unmark(runID: String) async {
        guard let ledger = try? await marks() else { return }
        try? await ledger.unmarkActive(runID: runID)
    }
}
