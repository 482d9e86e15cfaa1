import Foundation
import RunbookCore
import RunbookDrivers
import Testing

/// The test database: `RUNBOOK_TEST_DATABASE_URL`, set by `eval "$(scripts/test-postgres up)"`.
/// A missing database is a failure, never a skip.
enum TestDatabase {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "RUNBOOK_TEST_DATABASE_URL is not set: run `eval \"$(scripts/test-postgres up)\"` first" }
    }

    static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["RUNBOOK_TEST_DATABASE_URL"], !url.isEmpty else {
            Issue.record(Comment(rawValue: Missing().description))
            throw Missing()
        }
        return url
    }

    /// An environment whose `database.url` is the test database (or `url`), with its password
    /// as a secret.
    static func environment(url: String? = nil, token: String? = nil, apiURL: String? = nil) throws -> Environment {
        let databaseURL = try url ?? self.url()
        var values: [(String, Value)] = [("database", .object([("url", .string(databaseURL))]))]
        var api: [(String, Value)] = []
        if let apiURL { api.append(("url", .string(apiURL))) }
        api.append(("token", .string(token ?? "")))
        values.append(("api", .object(api)))
        var secrets: [String] = []
        if let password = URLComponents(string: databaseURL)?.password { secrets.append(password) }
        if let token { secrets.append(token) }
        return Environment(name: "test", values: .object(values), secrets: secrets)
    }

    /// A table name no other test uses.
    static func table(_ prefix: String) -> String {
        "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
    }
}

let testLocation = SourceLocation(path: "test.yaml", line: 1, column: 1)

/// A SQL step as a runbook would declare it: `params` maps `:name` to an expression.
func sqlStep(_ id: String, _ sql: String, kind: Step.Kind = .check, params: [String: String] = [:], maxRows: Int = 1000,
             timeout: Duration? = nil) throws -> Step
{
    let parsed = try params.sorted { $0.key < $1.key }.map { ($0.key, Located(try Expression($0.value), at: testLocation)) }
    var step = Step(id: id, kind: kind, driver: .sql(SQLSpec(sql: Located(sql, at: testLocation), params: parsed, maxRows: maxRows)),
                    location: testLocation)
    step.timeout = timeout
    return step
}

/// Renders `step` exactly as the executor does, with `inputs`.
func render(_ step: Step, inputs: [String: Value] = [:], environment: Environment) throws -> RenderedCommand {
    let renderer = CommandRenderer(environment: environment, home: URL(fileURLWithPath: "/tmp"))
    var scope = ExpressionScope()
    scope["inputs"] = .object(ValueObject(inputs))
    scope["env"] = environment.values
    return try renderer.render(step, scope: scope)
}

/// Renders and runs `step` with `driver`.
func run(_ driver: any StepDriver, _ step: Step, inputs: [String: Value] = [:], environment: Environment) async throws -> DriverOutput {
    let command = try render(step, inputs: inputs, environment: environment)
    let context = DriverContext(stepID: step.id, kind: step.kind, timeout: step.timeout ?? .seconds(20), environment: environment,
                                redactor: Redactor(secrets: environment.secrets))
    return try await driver.execute(command, context: context)
}

extension DriverOutput {
    var rows: [Value] { result["rows"]?.listValue ?? [] }
}

/// The message of the error `body` throws ("" when it throws none: the caller's expectation fails).
func errorMessage(_ body: () async throws -> some Any) async -> String {
    do {
        _ = try await body()
        return ""
    } catch {
        return "\(error)"
    }
}
