import Foundation
import RunbookCore
import RunbookDrivers
import Testing

@Suite("HTTP driver")
struct HTTPDriverTests {
    func httpStep(_ id: String, _ url: String, method: String = "GET", kind: Step.Kind = .check, query: [(String, String)] = [],
                  json: TemplateValue? = nil, bearer: Bool = false, expect: [Int] = [], follow: Bool = false) throws -> Step
    {
        let spec = HTTPSpec(
            method: Located(method, at: testLocation), url: Located(try Template(url), at: testLocation),
            query: try query.map { ($0.0, Located(try Template($0.1), at: testLocation)) },
            json: json.map { Located($0, at: testLocation) }, auth: bearer ? Located("bearer", at: testLocation) : nil,
            expectStatus: expect, followRedirects: follow)
        return Step(id: id, kind: kind, driver: .http(spec), location: testLocation)
    }

    func environment(_ base: String, token: String? = TestHTTPServer.token) throws -> Environment {
        try TestDatabase.environment(url: "postgres://unused@127.0.0.1:1/x", token: token, apiURL: base)
    }

    @Test("a bearer token is sent, and never appears in the result, the excerpt or an error")
    func bearerToken() async throws {
        try await TestHTTPServer.with { base in
            let env = try environment(base)
            let driver = HTTPDriver()
            defer { Task { await driver.shutdown() } }
            let ok = try await run(driver, httpStep("auth", "${{ env.api.url }}/auth", bearer: true), environment: env)
            #expect(ok.succeeded)
            #expect(ok.result["json"]?["authorized"] == .bool(true))
            let echoed = try await run(driver, httpStep("echo", "${{ env.api.url }}/echo-auth", bearer: true), environment: env)
            let everything = JSON.encode(echoed.result) + echoed.excerpt
            #expect(!everything.contains(TestHTTPServer.token))
            #expect(echoed.result["body"] == .string("you sent: Bearer ***"))
            #expect(echoed.result["headers"]?["x-echo"] == .string("Bearer ***"))
            // Without the token: a clear error, before anything is sent.
            let missing = await errorMessage {
                try await run(driver, httpStep("auth", "${{ env.api.url }}/auth", bearer: true), environment: try environment(base, token: nil))
            }
            #expect(missing.contains("api.token is empty: set ETL_API_TOKEN"))
            // Without auth the server says 401: a result, not an error.
            let anonymous = try await run(driver, httpStep("anon", "${{ env.api.url }}/auth"), environment: env)
            #expect(anonymous.result["status"] == .int(401))
            #expect(!anonymous.succeeded)
            await driver.shutdown()
        }
    }

    @Test("a templated value stays inside one path segment or query value")
    func templatedValuesStayPut() async throws {
        try await TestHTTPServer.with { base in
            let env = try environment(base)
            let driver = HTTPDriver()
            let step = try httpStep("file", "${{ env.api.url }}/files/${{ inputs.id }}", query: [("q", "${{ inputs.q }}")])
            let command = try render(step, inputs: ["id": "../admin?x=1#f", "q": "a&b=c d"], environment: env)
            let output = try await run(driver, step, inputs: ["id": "../admin?x=1#f", "q": "a&b=c d"], environment: env)
            await driver.shutdown()
            #expect(output.result["status"] == .int(200), "\(command.display) → \(output.excerpt)")
            let json = try #require(output.result["json"]?.objectValue)
            let path = try #require(json["path"]?.stringValue)
            #expect(path.split(separator: "/").count == 2, "path \(path)")
            #expect(path.hasPrefix("/files/"))
            #expect(json["query"] == .string("q=a%26b%3Dc%20d"))
            #expect(!path.contains("?"))
        }
    }

    @Test("redirects are not followed unless the step says so; the token stays with its origin")
    func redirects() async throws {
        try await TestHTTPServer.with { base in
            let env = try environment(base)
            let driver = HTTPDriver()
            let stay = try await run(driver, httpStep("r", "${{ env.api.url }}/redirect"), environment: env)
            #expect(stay.result["status"] == .int(302))
            #expect(stay.result["headers"]?["location"] == .string("/health"))
            #expect(!stay.succeeded)
            let followed = try await run(driver, httpStep("r", "${{ env.api.url }}/redirect", follow: true), environment: env)
            #expect(followed.result["status"] == .int(200))
            #expect(followed.result["json"]?["status"] == .string("ok"))
            // Followed to another origin: the token is not sent there.
            let away = try await run(driver, httpStep("r", "${{ env.api.url }}/redirect-away", bearer: true, follow: true), environment: env)
            #expect(away.result["status"] == .int(401))
            #expect(away.result["url"]?.stringValue?.hasPrefix("http://localhost:") == true)
            await driver.shutdown()
        }
    }

    @Test("status, expectations, JSON in key order, plain text, POST bodies, bounded bodies")
    func responses() async throws {
        try await TestHTTPServer.with { base in
            let env = try environment(base)
            let driver = HTTPDriver(bodyLimit: 1 << 20)
            let fail = try await run(driver, httpStep("f", "${{ env.api.url }}/fail"), environment: env)
            #expect(fail.result["status"] == .int(500))
            #expect(!fail.succeeded)
            #expect(fail.result["json"]?["error"] == .string("boom"))
            #expect(fail.excerpt.hasPrefix("HTTP 500"))
            let expected = try await run(driver, httpStep("f", "${{ env.api.url }}/fail", expect: [500]), environment: env)
            #expect(expected.succeeded)
            let health = try await run(driver, httpStep("h", "${{ env.api.url }}/health"), environment: env)
            #expect(health.result["json"]?.objectValue?.keys == ["status", "z", "a"])
            #expect(health.result["json"]?["a"]?.objectValue?.keys == ["y", "b"])
            #expect(health.result["headers"]?["content-type"] == .string("application/json"))
            let text = try await run(driver, httpStep("t", "${{ env.api.url }}/text"), environment: env)
            #expect(text.result["body"] == .string("plain\nlines"))
            #expect(text.result["json"] == .null)
            let post = try await run(driver, httpStep("p", "${{ env.api.url }}/items", method: "POST", kind: .action,
                                                      json: .object([("name", .template(try Template("${{ inputs.name }}"))), ("n", .scalar(2))])),
                                     inputs: ["name": "lote \"7\""], environment: env)
            #expect(post.result["status"] == .int(201))
            #expect(post.result["json"]?["name"] == .string("lote \"7\""))
            #expect(post.result["json"]?["n"] == .int(2))
            let big = try await run(driver, httpStep("b", "${{ env.api.url }}/big"), environment: env)
            #expect(big.result["truncated"] == .bool(true))
            #expect(big.result["body"]?.stringValue?.utf8.count == 1 << 20)
            #expect(big.result["json"] == .null)
            #expect(big.excerpt.contains("truncated"))
            await driver.shutdown()
        }
    }

    @Test("connection refused is the step's error, naming the URL")
    func connectionRefused() async throws {
        let env = try environment("http://127.0.0.1:1")
        let driver = HTTPDriver()
        let message = await errorMessage { try await run(driver, httpStep("h", "${{ env.api.url }}/health", bearer: true), environment: env) }
        await driver.shutdown()
        #expect(message.contains("step 'h'"))
        #expect(message.contains("http://127.0.0.1:1/health"))
        #expect(message.contains("refused"))
        #expect(!message.contains(TestHTTPServer.token))
    }

    @Test("a slow answer past the step's timeout is the step's error; a check cannot POST")
    func slowAndReadOnly() async throws {
        try await TestHTTPServer.with { base in
            let env = try environment(base)
            let driver = HTTPDriver()
            var slow = try httpStep("slow", "${{ env.api.url }}/slow")
            slow.timeout = .milliseconds(300)
            let message = await errorMessage { try await run(driver, slow, environment: env) }
            #expect(message.contains("no answer within 300ms"), "\(message)")
            let post = await errorMessage { try await run(driver, httpStep("p", "${{ env.api.url }}/items", method: "POST"), environment: env) }
            #expect(post.contains("a check may only GET or HEAD"))
            await driver.shutdown()
        }
    }

    @Test("a driver that never ran an HTTP step shuts down without having made a client")
    func lazyClient() async {
        let driver = HTTPDriver()
        await driver.shutdown()
        await driver.shutdown()
    }
}
