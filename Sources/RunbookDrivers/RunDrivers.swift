public import RunbookCore

/// The drivers of one run, built for its environment: shell, notify (sharing http's client), sql (for the
/// environment's `database.url`, and its `ledger.url` for checks that say `database: ledger`) and http. Nothing connects until a step needs it; call
/// ``shutdown()`` once the run is over (or use ``with(environment:_:)``).
public struct RunDrivers: Sendable {
    /// What the executor is given.
    public let registry: DriverRegistry
    /// The SQL driver (also where a live run takes its run lock).
    public let sql: SQLDriver
    /// The driver of the checks that read the ledger (`database: ledger`).
    public let ledgerSQL: SQLDriver
    public let http: HTTPDriver
    /// The one event-loop thread SQL and HTTP share, started by the first step that needs it.
    let eventLoops: DriverEventLoops
    /// Made for this run (closed by ``shutdown()``), or a long-lived process's (left open).
    private let ownsNetwork: Bool

    /// `guardChildren`: start a ``ProcessGroupWatchdog`` so that no step's processes outlive
    /// this one (live runs).
    public init(environment: Environment, sqlOptions: SQLDriver.Options = .init(), guardChildren: Bool = false) {
        eventLoops = DriverEventLoops(threads: 1)
        sql = SQLDriver(url: environment.databaseURL, options: sqlOptions, eventLoops: eventLoops)
        var ledgerOptions = sqlOptions
        ledgerOptions.maxConnections = 1
        ledgerSQL = SQLDriver(url: environment.ledgerURL, options: ledgerOptions, eventLoops: eventLoops, database: .ledger)
        http = HTTPDriver(eventLoops: eventLoops)
        ownsNetwork = true
        registry = Self.registry(sql: sql, ledgerSQL: ledgerSQL, http: http, eventLoops: eventLoops, guardChildren: guardChildren)
    }

    /// The drivers of one run on a long-lived process's shared pools and HTTP client (the
    /// runner's, see ``SharedDrivers``): the shell driver (and its watchdog) is the run's own;
    /// ``shutdown()`` leaves the shared ones open.
    public init(shared: SharedDrivers, guardChildren: Bool = false) {
        eventLoops = shared.eventLoops
        sql = shared.sql
        ledgerSQL = shared.ledgerSQL
        http = shared.http
        ownsNetwork = false
        registry = Self.registry(sql: sql, ledgerSQL: ledgerSQL, http: http, eventLoops: eventLoops, guardChildren: guardChildren)
    }

    private static func registry(sql: SQLDriver, ledgerSQL: SQLDriver, http: HTTPDriver, eventLoops: DriverEventLoops, guardChildren: Bool) -> DriverRegistry {
        let shell = ShellDriver(watchdog: guardChildren ? ProcessGroupWatchdog() : nil)
        return DriverRegistry([.shell: shell, .notify: NotifyDriver(http: http, eventLoops: eventLoops), .sql: SQLRouter(etl: sql, ledger: ledgerSQL), .http: http])
    }

    /// Closes the database connections and the HTTP client, then stops their event loop (not
    /// when they are shared: they stay open for the next run).
    public func shutdown() async {
        guard ownsNetwork else { return }
        async let a: Void = sql.shutdown()
        async let b: Void = http.shutdown()
        async let c: Void = ledgerSQL.shutdown()
        _ = await (a, b, c)
        await eventLoops.shutdown()
    }

    /// Runs `body` with the drivers for `environment`, then shuts them down.
    public static func with<R: Sendable>(environment: Environment, _ body: (RunDrivers) async throws -> R) async rethrows -> R {
        let drivers = RunDrivers(environment: environment)
        do {
            let result = try await body(drivers)
            await drivers.shutdown()
            return result
        } catch {
            await drivers.shutdown()
            throw error
        }
    }
}
