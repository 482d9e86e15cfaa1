@testable import ETLCore
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    @Test("environment variables are read, with defaults")
    func environment() throws {
        let configuration = try ETLConfiguration(environment: [
            "ETL_DATABASE_URL": "postgres://etl:s%40cret@db.example:6543/etl_prod?sslmode=disable",
            "ETL_API_TOKEN": "t0k3n",
            "ETL_LISTEN": "0.0.0.0:9090",
            "ETL_LOG_DIR": "/var/log/etl",
            "ETL_POLL_INTERVAL_MS": "75",
            "ETL_FAULTS": #"{"slow_ms": 250}"#,
            "ETL_STORAGE_ADDRESS": "minio-1.storage.internal:9000",
        ])
        #expect(configuration.storageAddress == "minio-1.storage.internal:9000")
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9090)
        #expect(configuration.logDirectory == "/var/log/etl")
        #expect(configuration.pollInterval == .milliseconds(75))
        #expect(configuration.initialFaults == FaultSettings(slowMilliseconds: 250))
        #expect(configuration.database.password == "s@cret")
        #expect(configuration.database.port == 6543)
        #expect(configuration.database.sslMode == .disable)
        #expect(configuration.database.location == "db.example:6543/etl_prod")
        #expect(!configuration.database.location.contains("cret"))
        #expect(!configuration.database.description.contains("cret"))

        let defaults = try ETLConfiguration(environment: ["ETL_DATABASE_URL": "postgres://u@h/d", "ETL_API_TOKEN": "x"])
        #expect(defaults.host == "127.0.0.1" && defaults.port == 18080 && defaults.logDirectory == nil)
        #expect(defaults.storageAddress == "storage.conectaboi.internal:9000")
    }

    @Test("missing or malformed settings are refused with the variable's name",
          arguments: [
            ([String: String](), "ETL_DATABASE_URL"),
            (["ETL_DATABASE_URL": "postgres://u@h/d"], "ETL_API_TOKEN"),
            (["ETL_DATABASE_URL": "mysql://u@h/d", "ETL_API_TOKEN": "x"], "postgres://"),
            (["ETL_DATABASE_URL": "postgres://u@h/d", "ETL_API_TOKEN": "x", "ETL_LISTEN": "nohost"], "ETL_LISTEN"),
            (["ETL_DATABASE_URL": "postgres://u@h/d", "ETL_API_TOKEN": "x", "ETL_FAULTS": #"{"connection_error_rate": 2}"#], "connection_error_rate"),
            // The address goes into error messages a runbook reads: only host:port, nothing else.
            (["ETL_DATABASE_URL": "postgres://u@h/d", "ETL_API_TOKEN": "x", "ETL_STORAGE_ADDRESS": "$(touch /tmp/x):9000"], "ETL_STORAGE_ADDRESS"),
            (["ETL_DATABASE_URL": "postgres://u@h/d", "ETL_API_TOKEN": "x", "ETL_STORAGE_ADDRESS": "storage:99999"], "ETL_STORAGE_ADDRESS"),
            (["ETL_DATABASE_URL": "postgres://u@h/d", "ETL_API_TOKEN": "x", "ETL_STORAGE_ADDRESS": "storage"], "ETL_STORAGE_ADDRESS"),
          ])
    func refused(environment: [String: String], mentions: String) {
        do {
            _ = try ETLConfiguration(environment: environment)
            Issue.record("accepted \(environment)")
        } catch let error as ETLError {
            #expect(error.code == .configuration)
            #expect(error.message.contains(mentions))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("token comparison is exact")
    func tokenComparison() {
        #expect(BearerAuthMiddleware<BasicRequestContextAlias>.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!BearerAuthMiddleware<BasicRequestContextAlias>.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!BearerAuthMiddleware<BasicRequestContextAlias>.constantTimeEqual([1, 2, 3], [1, 2]))
    }
}
