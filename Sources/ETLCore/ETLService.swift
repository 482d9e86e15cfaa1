import Hummingbird
import Logging
import PostgresNIO
import PostgresURLKit
import ServiceLifecycle

/// The whole `etl-core` service: one PostgreSQL client, the worker, the alert monitor and
/// the HTTP API, wired together.
///
/// ```swift
/// let service = try ETLService(configuration: try ETLConfiguration(environment: env), logger: logger)
/// try await service.makeApplication().runService()   // stops cleanly on SIGTERM/SIGINT
/// ```
/// Migrations run before the server accepts requests; the worker and the alert monitor wait
/// for them.
public struct ETLService: Sendable {
    /// The configuration in force.
    public let configuration: ETLConfiguration
    /// The database client (a `Service`, run by the application).
    public let client: PostgresClient
    /// All SQL of the service.
    public let store: ETLStore
    /// Faults injected at run time.
    public let faults: FaultInjector
    /// The worker's heartbeat and totals.
    public let workerState: WorkerState
    /// What this process counts (files finished and failed, processing time, refusals).
    public let metrics: ETLMetrics
    /// The log files.
    public let events: EventLog
    let readiness: Readiness
    let logger: Logger

    /// Creates the service; nothing runs until the application does. Throws ``ETLError``
    /// (`configuration`) when the database URL's TLS settings cannot be used.
    public init(configuration: ETLConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        var clientLogger = logger
        clientLogger[metadataKey: "component"] = "postgres"
        let clientConfiguration: PostgresClient.Configuration
        do {
            clientConfiguration = try configuration.database.clientConfiguration(connectTimeout: .seconds(5))
        } catch {
            throw ETLError(.configuration, "ETL_DATABASE_URL: \(error.message)")
        }
        self.client = PostgresClient(configuration: clientConfiguration, backgroundLogger: clientLogger)
        self.store = ETLStore(client: client, logger: logger)
        self.faults = FaultInjector(configuration.initialFaults)
        self.workerState = WorkerState()
        self.metrics = ETLMetrics()
        self.events = EventLog(directory: configuration.logDirectory, logger: logger)
        self.readiness = Readiness()
    }

    /// The router with every route and middleware (useful on its own in tests).
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        ETLRoutes(store: store, faults: faults, workerState: workerState, metrics: metrics, events: events,
                  configuration: configuration, startedAt: .now).register(on: router)
        return router
    }

    /// The Hummingbird application running the client, the worker (unless `worker` is
    /// false), the alert monitor (unless `alerts` is false) and the API.
    public func makeApplication(worker runWorker: Bool = true, alerts runAlerts: Bool = true) -> some ApplicationProtocol {
        var services: [any Service] = [client]
        if runWorker {
            let worker = Worker(store: store, faults: faults, state: workerState, metrics: metrics, events: events,
                                configuration: configuration, logger: logger)
            services.append(AfterReady(readiness: readiness, wrapped: worker))
        }
        if runAlerts {
            let monitor = AlertMonitor(store: store, events: events, faults: faults,
                                       interval: configuration.alertInterval, logger: logger)
            services.append(AfterReady(readiness: readiness, wrapped: monitor))
        }
        var app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "etl-core"),
            services: services,
            logger: logger
        )
        app.beforeServerStarts { [self] in
            try await self.migrateWithRetry()
            self.readiness.markReady()
            self.events.write(.info, "service", "listening on \(self.configuration.host):\(self.configuration.port) database=\(self.configuration.database.location)")
        }
        return app
    }

    /// Applies migrations, retrying for up to 30 s while the database is unreachable.
    func migrateWithRetry() async throws {
        let migrator = Migrator(logger: logger)
        var attempt = 0
        while true {
            attempt += 1
            do {
                let applied = try await migrator.migrate(client)
                events.write(.info, "migrate", applied.isEmpty ? "schema up to date" : "applied versions=\(applied.map(String.init).joined(separator: ","))")
                return
            } catch let error as ETLError {
                events.write(.fatal, "migrate", error.message)
                throw error
            } catch {
                if attempt >= 30 {
                    events.write(.fatal, "migrate", "database unreachable: \(PostgresErrorText.describe(error))")
                    throw ETLError(.database, "cannot migrate \(configuration.database.location): \(PostgresErrorText.describe(error))")
                }
                events.error("migrate", fileID: nil, errorType: ErrorType.connection.rawValue,
                             "database unreachable (attempt \(attempt)): \(PostgresErrorText.describe(error))")
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
