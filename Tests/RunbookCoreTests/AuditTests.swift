import Foundation
import Testing
@testable import RunbookCore

@Suite("Audit log: hash chain")
struct AuditTests {
    func makeLog(records: Int) throws -> (String, [String]) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
        let log = try AuditLog(path: path)
        for i in 0..<records {
            try log.append(event: i == 0 ? "run.started" : "step.ended", runID: "r1", fields: [("step", .string("s\(i)"))], sync: i == records - 1)
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        return (path, lines)
    }

    func rewrite(_ path: String, _ lines: [String]) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func intactChainVerifies() throws {
        let (path, lines) = try makeLog(records: 5)
        #expect(lines.count == 5)
        let first = try JSON.parse(lines[0])
        #expect(first["prev"] == .string(AuditLog.genesis))
        #expect(first["seq"] == 1)
        let second = try JSON.parse(lines[1])
        #expect(second["prev"] == .string(AuditLog.sha256Hex(lines[0])))
        let report = try AuditVerifier.verify(path: path)
        #expect(report.intact)
        #expect(report.lines == 5)
    }

    @Test func editedLineIsNamed() throws {
        let (path, lines) = try makeLog(records: 5)
        var edited = lines
        edited[2] = edited[2].replacingOccurrences(of: "\"s2\"", with: "\"s9\"")
        try rewrite(path, edited)
        let problem = try #require(try AuditVerifier.verify(path: path).problem)
        #expect(problem.line == 3)
        #expect(problem.message.contains("edited"))
    }

    @Test func deletedLineIsNamed() throws {
        let (path, lines) = try makeLog(records: 5)
        var cut = lines
        cut.remove(at: 2)
        try rewrite(path, cut)
        let problem = try #require(try AuditVerifier.verify(path: path).problem)
        #expect(problem.line == 3)
        #expect(problem.message.contains("removed"))
    }

    @Test func reorderedLinesAreNamed() throws {
        let (path, lines) = try makeLog(records: 5)
        var swapped = lines
        swapped.swapAt(1, 2)
        try rewrite(path, swapped)
        let problem = try #require(try AuditVerifier.verify(path: path).problem)
        #expect(problem.line == 2)
        #expect(problem.message.contains("reordered"))
    }

    @Test func firstLineRemovedIsDetected() throws {
        let (path, lines) = try makeLog(records: 3)
        try rewrite(path, Array(lines.dropFirst()))
        #expect(try AuditVerifier.verify(path: path).problem?.line == 1)
    }

    @Test func twoWritersKeepOneChain() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
        let a = try AuditLog(path: path)
        let b = try AuditLog(path: path)
        await withTaskGroup(of: Void.self) { group in
            for (log, name) in [(a, "a"), (b, "b")] {
                group.addTask {
                    for i in 0..<50 { _ = try? log.append(event: "step.ended", runID: name, fields: [("i", .int(i))], sync: false) }
                }
            }
        }
        let report = try AuditVerifier.verify(path: path)
        #expect(report.intact)
        #expect(report.lines == 100)
    }

    @Test func unwritableLogIsAnError() {
        #expect(throws: AuditError.self) { try AuditLog(path: "/proc/no-such-dir/audit.jsonl") }
    }
}

@Suite("Environment files")
struct EnvironmentTests {
    @Test func expandsVariablesAndCollectsSecrets() throws {
        let home = TestHome()
        home.write("environments/sandbox.yaml", """
            environment: sandbox
            database: {url: "${DB_URL:-postgres://etl:etl@127.0.0.1:55432/etl}"}
            api: {url: "${API_URL:-http://127.0.0.1:18080}", token: "${API_TOKEN}"}
            logs: .sandbox/logs
            commands:
              service_restart: [scripts/sandbox, restart, etl-core]
            secrets: [API_TOKEN, DB_URL]
            """)
        let env = try Environment.load(name: "sandbox", home: home.url, processEnvironment: ["API_TOKEN": "s3cr3t-token", "DB_URL": "postgres://u:hunter22@db/etl"])
        #expect(env.apiToken == "s3cr3t-token")
        #expect(env.databaseURL == "postgres://u:hunter22@db/etl")
        #expect(env.apiURL == "http://127.0.0.1:18080")
        #expect(env.command("service_restart") == ["scripts/sandbox", "restart", "etl-core"])
        #expect(env.secrets.contains("s3cr3t-token"))
        #expect(env.secrets.contains("hunter22"))
        let redactor = Redactor(secrets: env.secrets)
        #expect(redactor.redact("Bearer s3cr3t-token to postgres://u:hunter22@db/etl") == "Bearer *** to ***")
        #expect(redactor.redact("postgres://u:hunter22@other") == "postgres://u:***@other")
    }

    @Test func missingEnvironmentSuggests() {
        let home = TestHome()
        home.write("environments/staging.yaml", "environment: staging\n")
        #expect(throws: DiagnosticsError.self) { try Environment.load(name: "stagin", home: home.url, processEnvironment: [:]) }
        do { _ = try Environment.load(name: "stagin", home: home.url, processEnvironment: [:]) } catch {
            #expect(error.description.contains("did you mean 'staging'"))
        }
    }

    @Test func commandsMustBeArgv() {
        let home = TestHome()
        home.write("environments/prod.yaml", "environment: prod\ncommands:\n  restart: systemctl restart etl\n")
        #expect(throws: DiagnosticsError.self) { try Environment.load(name: "prod", home: home.url, processEnvironment: [:]) }
    }
}
