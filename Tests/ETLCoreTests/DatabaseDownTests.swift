import ETLCore
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresURLKit
import Testing

@Suite("Database unreachable")
struct DatabaseDownTests {
    @Test("/health says down (503) within its 2 s timeout; /metrics still answers with etl_database_up 0")
    func healthDown() async throws {
        // A port where nothing listens: the client can never connect.
        let url = try PostgresURL("postgres://etl:etl@127.0.0.1:1/etl?sslmode=disable")
        var configuration = ETLConfiguration(database: url, apiToken: ServiceHarness.token)
        configuration.heartbeatTimeout = .milliseconds(100)
        let service = try ETLService(configuration: configuration, logger: TestDatabase.logger)
        let app = Application(router: service.makeRouter(), services: [service.client], logger: TestDatabase.logger)
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/health", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.json["status"] as? String == "down")
            #expect((response.json["database"] as? [String: Any])?["reachable"] as? Bool == false)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            #expect(String(buffer: metrics.body).contains("etl_database_up 0"))
        }
    }
}
