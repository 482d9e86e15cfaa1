import Logging
import PostgresNIO
public import PostgresURLKit
public import RunbookCore
import Synchronization

/// Runs `sql` steps against the environment's database through one `PostgresClient` (a pool of
/// at most two connections) for the whole run.
///
/// Create one per run, hand it to the registry, and call ``shutdown()`` at the end (or use
/// ``withDriver(url:options:_:)``). Nothing connects before the first SQL step; the client's
/// `run()` loop lives in a task the driver owns.
///
/// * A check runs in a read-only transaction, an action in a read-write one committed only when
///   the statement succeeded; both with `SET LOCAL statement_timeout` just under the step's
///   timeout, so the server stops a slow statement before the executor gives up on it.
/// * Values are bind parameters (see `SQLParameter`), never SQL text.
/// * Rows are rendered by PostgreSQL itself (`row_to_json`), see ``SQLStatement``.
/// * A database that is down or refuses the login fails the step within the connect timeout
///   (5 s by default) with the host and port in the message; the password is never shown.
public final class SQLDriver: StepDriver, Sendable {
    /// Pool settings.
    public struct Options: Sendable {
        /// How long to wait for the first connection (and each TCP connect).
        public var connectTimeout: Duration
        /// At most this many connections (1 or 2 is plenty: checks are short).
        public var maxConnections: Int
        /// `application_name` shown in `pg_stat_activity`, unless the URL sets one.
        public var applicationName: String

        public init(connectTimeout: Duration = .seconds(5), maxConnections: Int = 2, applicationName: String = "runbook") {
            self.connectTimeout = connectTimeout
            self.maxConnections = maxConnections
            self.applicationName = applicationName
        }
    }

    enum State {
        case idle
        case running(PostgresClient, Task<Void, Never>)
        case shutDown
    }

    let url: Result<PostgresURL, DriverError>
    let options: Options
    /// Which of the environment's databases `url` is.
    let database: SQLDatabase
    let state = Mutex(State.idle)
    let failures = ConnectionFailures()
    /// Set once any connection was leased: from then on a lease may wait for a busy connection.
    let everConnected = Atomic(false)
    /// Where the connections' I/O runs.
    let eventLoops: DriverEventLoops

    /// A driver for `url` (the environment's `database.url`, or what `setting` names). A missing
    /// or malformed URL is reported when a SQL step runs, as that step's error. `eventLoops`: the
    /// run's (see ``RunDrivers``), else NIO's singleton group.
    public init(url: String?, options: Options = Options(), eventLoops: DriverEventLoops = .singleton, database: SQLDatabase = .etl) {
        self.database = database
        self.options = options
        self.eventLoops = eventLoops
        if let url, !url.isEmpty {
            do { self.url = .success(try PostgresURL(url)) } catch { self.url = .failure(DriverError(error, setting: database.setting)) }
        } else {
            self.url = .failure(DriverError(.configuration, "the environment has no \(database.setting)"))
        }
    }

    /// The parsed URL (without the password in its description).
    public var databaseURL: PostgresURL? { try? url.get() }

    /// Runs `body` with a driver for `url`, then shuts it down, whatever `body` did.
    public static func withDriver<R: Sendable>(
        url: String?, options: Options = Options(), _ body: (SQLDriver) async throws -> R
    ) async throws -> R {
        let driver = SQLDriver(url: url, options: options)
        do {
            let result = try await body(driver)
            await driver.shutdown()
            return result
        } catch {
            await driver.shutdown()
            throw error
        }
    }

    /// Starts the client's background loop (idempotent; `execute` calls it on first use).
    @discardableResult
    func start() throws(DriverError) -> PostgresClient {
        let url = try self.url.get()
        let config: PostgresClient.Configuration
        do {
            config = try url.clientConfiguration(
                connectTimeout: options.connectTimeout, maxConnections: options.maxConnections, applicationName: options.applicationName)
        } catch {
            throw DriverError(error, setting: database.setting)
        }
        let logger = failures.logger()
        let outcome: Result<PostgresClient, DriverError> = state.withLock { state in
            switch state {
            case .running(let client, _):
                return .success(client)
            case .shutDown:
                return .failure(DriverError("the SQL driver was already shut down"))
            case .idle:
                let client = PostgresClient(configuration: config, eventLoopGroup: eventLoops.group, backgroundLogger: logger)
                let task = Task { await client.run() }
                state = .running(client, task)
                return .success(client)
            }
        }
        return try outcome.get()
    }

    /// Closes every connection and stops the client (idempotent). Steps still running fail.
    public func shutdown() async {
        let task: Task<Void, Never>? = state.withLock { state in
            defer { state = .shutDown }
            if case .running(_, let task) = state { return task }
            return nil
        }
        guard let task else { return }
        task.cancel()
        await task.value
    }

    deinit {
        if case .running(_, let task) = state.withLock({ $0 }) { task.cancel() }
    }
}
