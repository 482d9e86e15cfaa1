public import RunbookCore

/// The network drivers that the runs of one long-lived process (the team's runner) share for
/// its whole life, instead of each run making its own: one event-loop thread, one pool of
/// connections to the environment's database (and one to the ledger, for `database: ledger`
/// checks), one HTTP client. A run on them (``RunDrivers/init(environment:shared:guardChildren:)``)
/// leases a connection per statement as a run on its own drivers does; what a step leaves on
/// a connection is reset before it goes back (see ``SQLDriver``), and the run lock is still
/// taken on a dedicated session connection of its own. ``shutdown()`` once, when the process
/// stops serving.
public final class SharedDrivers: Sendable {
    /// The runner's environment (its database URLs are the pools' targets).
    public let environment: Environment
    /// The one event-loop thread of every connection the runs share.
    public let eventLoops: DriverEventLoops
    let sql: SQLDriver
    let ledgerSQL: SQLDriver
    let http: HTTPDriver

    /// Pools for `environment`, nothing connected until a step needs it. `maxConnections`: of
    /// the database pool, for all the runs at once (a run on its own drivers has at most 2).
    public init(environment: Environment, maxConnections: Int = 8) {
        self.environment = environment
        eventLoops = DriverEventLoops(threads: 1)
        var options = SQLDriver.Options()
        options.maxConnections = maxConnections
        sql = SQLDriver(url: environment.databaseURL, options: options, eventLoops: eventLoops)
        options.maxConnections = 2
        ledgerSQL = SQLDriver(url: environment.ledgerURL, options: options, eventLoops: eventLoops, database: .ledger)
        http = HTTPDriver(eventLoops: eventLoops)
    }

    /// Closes the pools and the HTTP client, then stops the event loop.
    public func shutdown() async {
        async let a: Void = sql.shutdown()
        async let b: Void = http.shutdown()
        async let c: Void = ledgerSQL.shutdown()
        _ = await (a, b, c)
        await eventLoops.shutdown()
    }
}
