import Foundation
import RunbookCore
import RunbookDrivers
import Testing

/// `sslmode` against the test server, which `scripts/test-postgres` starts with a self-signed
/// certificate (`RUNBOOK_TEST_DATABASE_CA`).
@Suite("SQL driver TLS")
struct SQLTLSTests {
    func url(sslmode: String, host: String? = nil, extra: String = "") throws -> String {
        var components = try #require(URLComponents(string: try TestDatabase.url()))
        if let host { components.host = host }
        components.queryItems = [URLQueryItem(name: "sslmode", value: sslmode)]
        return try #require(components.string) + extra
    }

    func usesTLS(_ url: String) async throws -> Bool? {
        let environment = try TestDatabase.environment(url: url)
        return try await SQLDriver.withDriver(url: url) { driver in
            let output = try await run(driver, sqlStep("tls", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"), environment: environment)
            return output.rows.first?["ssl"]?.boolValue
        }
    }

    @Test("sslmode=disable and the loopback default use no TLS; require uses it")
    func modes() async throws {
        #expect(try await usesTLS(url(sslmode: "disable")) == false)
        #expect(try await usesTLS(url(sslmode: "prefer")) == false)
        #expect(try await usesTLS(url(sslmode: "require")) == true)
    }

    @Test("verify-full refuses an untrusted certificate, and accepts it with sslrootcert")
    func verifyFull() async throws {
        guard let ca = ProcessInfo.processInfo.environment["RUNBOOK_TEST_DATABASE_CA"], !ca.isEmpty else {
            Issue.record("RUNBOOK_TEST_DATABASE_CA is not set: run `eval \"$(scripts/test-postgres up)\"` first")
            return
        }
        let untrusted = try url(sslmode: "verify-full", host: "localhost")
        let message = try await SQLDriver.withDriver(url: untrusted) { driver in
            await errorMessage { try await run(driver, sqlStep("tls", "SELECT 1"), environment: try TestDatabase.environment(url: untrusted)) }
        }
        #expect(message.contains("localhost:"), "\(message)")
        #expect(message.contains("certificate could not be verified"))
        #expect(!message.isEmpty)
        print("verify-full, untrusted: \(message)")
        let trusted = try url(sslmode: "verify-full", host: "localhost", extra: "&sslrootcert=\(ca)")
        #expect(try await usesTLS(trusted) == true)
    }
}
