import ArgumentParser
import ETLCore
import Foundation
import Hummingbird
import Logging

/// `etl-core`: the ETL service (REST API + worker over PostgreSQL).
///
/// Configured by environment variables (`ETL_DATABASE_URL`, `ETL_API_TOKEN`, `ETL_LISTEN`,
/// `ETL_LOG_DIR`, ...; see `ETLConfiguration`). Stops cleanly on SIGTERM and SIGINT.
@main
struct ETLCoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etl-core",
        abstract: "The Conecta Boi ETL service: REST API and worker over PostgreSQL.",
        discussion: """
        Environment: ETL_DATABASE_URL (required), ETL_API_TOKEN (required), ETL_LISTEN (host:port, \
        default 127.0.0.1:18080), ETL_LOG_DIR (folder for etl-service.log, errors.log, metrics.log, \
        audit.log), ETL_POLL_INTERVAL_MS, ETL_BATCH_SIZE, ETL_HEARTBEAT_TIMEOUT_MS, ETL_ALERT_INTERVAL_MS, ETL_SLOW_MS.
        """
    )

    @Option(help: "Name shown in the process list (pgrep -f etl-service finds it).")
    var serviceName: String = "etl-service"

    @Option(help: "Log level for stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Flag(help: "Apply migrations and exit.")
    var migrateOnly = false

    func run() async throws {
        var logger = Logger(label: serviceName)
        logger.logLevel = logLevel
        let service: ETLService
        do {
            service = try ETLService(configuration: try ETLConfiguration(environment: ProcessInfo.processInfo.environment), logger: logger)
        } catch let error as ETLError {
            throw ValidationError(error.message)
        }
        if migrateOnly {
            try await service.migrateOnce()
            return
        }
        try await service.makeApplication().runService()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
