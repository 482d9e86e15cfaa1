import Foundation
import RunbookCore
import RunbookDrivers
import Testing

/// `auth: bearer` sends the API token to the environment's API origin and nowhere else.
@Suite("HTTP driver: the bearer token goes only to the API's origin")
struct HTTPBearerOriginTests {
    func step(_ url: String) throws -> Step {
        let spec = HTTPSpec(method: Located("GET", at: testLocation), url: Located(try Template(url), at: testLocation),
                            auth: Located("bearer", at: testLocation))
        return Step(id: "s", kind: .check, driver: .http(spec), location: testLocation)
    }

    @Test("another host, port or scheme fails before anything is sent", arguments: [
        "http://localhost:1/auth", "http://127.0.0.1:2/auth", "https://127.0.0.1:1/auth", "http://127.0.0.1.evil.example:1/x",
        "http://127.0.0.1:1@evil.example/x",
    ])
    func otherOrigins(url: String) async throws {
        // Port 1 refuses connections: had the driver tried, the error would say so.
        let env = try TestDatabase.environment(url: "postgres://unused@127.0.0.1:1/x", token: "tok-Secret-123456", apiURL: "http://127.0.0.1:1/api")
        let driver = HTTPDriver()
        let message = await errorMessage { try await run(driver, step(url), environment: env) }
        await driver.shutdown()
        #expect(message.contains("auth: bearer sends the API token only to the environment's API, http://127.0.0.1:1"), "\(message)")
        #expect(message.contains("nothing was sent"))
        #expect(!message.contains("refused"))
        #expect(!message.contains("tok-Secret-123456"))
    }

    @Test("the API's own origin is tried (default ports count as written)")
    func sameOrigin() async throws {
        let env = try TestDatabase.environment(url: "postgres://unused@127.0.0.1:1/x", token: "tok-Secret-123456", apiURL: "http://127.0.0.1:1")
        let driver = HTTPDriver()
        let message = await errorMessage { try await run(driver, step("http://127.0.0.1:1/health"), environment: env) }
        await driver.shutdown()
        #expect(message.contains("refused"), "\(message)")
    }

    @Test("without an api.url the token is not sent")
    func noAPIURL() async throws {
        let env = try TestDatabase.environment(url: "postgres://unused@127.0.0.1:1/x", token: "tok-Secret-123456")
        let driver = HTTPDriver()
        let message = await errorMessage { try await run(driver, step("http://127.0.0.1:1/health"), environment: env) }
        await driver.shutdown()
        #expect(message.contains("auth: bearer needs the environment's api.url"), "\(message)")
    }
}
