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

    /// Each log remembers the head it wrote and skips re-reading the file while the size is
    /// the one it left: writers taking turns must each notice the other's records.
    @Test func writersTakingTurnsChainToEachOther() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
        let a = try AuditLog(path: path)
        let b = try AuditLog(path: path)
        for (i, log) in [a, a, b, a, b, b, a].enumerated() {
            try log.append(event: "step.ended", runID: log === a ? "a" : "b", fields: [("i", .int(i))], sync: false)
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 7)
        for (i, line) in lines.enumerated() {
            let record = try JSON.parse(line)
            #expect(record["seq"] == .int(i + 1), "line \(i + 1): \(line)")
            #expect(record["prev"] == .string(i == 0 ? AuditLog.genesis : AuditLog.sha256Hex(lines[i - 1])), "line \(i + 1)")
        }
        #expect(try AuditVerifier.verify(path: path).intact)
        // Bytes appended behind both logs' backs (a torn write) change the size: the next
        // record starts on a line of its own, chained to the last complete record.
        try appendRaw(path, #"{"seq":8,"ts":"#)
        try a.append(event: "run.ended", runID: "a", fields: [], sync: true)
        let after = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(after.count == 9)
        #expect(try JSON.parse(after[8])["seq"] == 8)
        #expect(try JSON.parse(after[8])["prev"] == .string(AuditLog.sha256Hex(lines[6])))
        #expect(try AuditVerifier.verify(path: path).intact)
    }

    /// Appends raw bytes, as a write cut short by a crash or a full disk leaves them.
    func appendRaw(_ path: String, _ text: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    @Test func tornLastRecordIsSteppedOverAndReportedAsACrash() throws {
        let (path, lines) = try makeLog(records: 3)
        let third = try JSON.parse(lines[2])
        try appendRaw(path, #"{"seq":4,"ts":"2026-11-29T10:00:00.000+0000","event":"step.ended","run_id":"r1","ste"#)
        // A crash leaves the tail torn: verify says so, and it is not tampering.
        let torn = try AuditVerifier.verify(path: path)
        #expect(torn.intact)
        #expect(torn.crashes.map(\.line) == [4])
        // The next run appends on a line of its own, chained to the last complete record.
        let log = try AuditLog(path: path)
        try log.append(event: "run.started", runID: "r2", fields: [], sync: true)
        try log.append(event: "run.ended", runID: "r2", fields: [], sync: true)
        let after = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(after.count == 7 && after[6].isEmpty, "\(after)")
        let next = try JSON.parse(after[4])
        #expect(next["seq"] == 4)
        #expect(next["prev"] == .string(AuditLog.sha256Hex(lines[2])))
        #expect(try JSON.parse(after[5])["seq"] == 5)
        let report = try AuditVerifier.verify(path: path)
        #expect(report.intact, "\(String(describing: report.problem))")
        #expect(report.records == 5)
        #expect(report.runs == 2)
        let crash = try #require(report.crashes.first)
        #expect(report.crashes.count == 1)
        #expect(crash.line == 4)
        #expect(crash.afterSeq == 3)
        #expect(crash.afterTimestamp == third["ts"]?.stringValue)
        #expect(crash.description.contains("torn write"))
        #expect(crash.description.contains("not tampering"))
        // Every run is still listed.
        #expect(Set(try AuditVerifier.records(path: path).compactMap { $0["run_id"]?.stringValue }) == ["r1", "r2"])
    }

    @Test func aTornFirstRecordAndAGarbageLastLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
        try Data(#"{"seq":1,"ts":"#.utf8).write(to: URL(fileURLWithPath: path))
        let log = try AuditLog(path: path)
        try log.append(event: "run.started", runID: "r1", fields: [], sync: false)
        // A whole line that is not JSON at the end (written, then the disk filled up).
        try appendRaw(path, "{\"seq\":2,\"prev\"\n")
        try log.append(event: "run.ended", runID: "r1", fields: [], sync: false)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(try JSON.parse(lines[1])["seq"] == 1)
        #expect(try JSON.parse(lines[1])["prev"] == .string(AuditLog.genesis))
        #expect(try JSON.parse(lines[3])["seq"] == 2)
        let report = try AuditVerifier.verify(path: path)
        #expect(report.intact)
        #expect(report.crashes.map(\.line) == [1, 3])
        #expect(report.crashes[0].afterTimestamp == nil)
    }

    @Test func aRecordMissingOnlyItsNewlineIsKept() throws {
        let (path, lines) = try makeLog(records: 2)
        try rewrite(path, lines)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try String(text.dropLast()).write(toFile: path, atomically: true, encoding: .utf8)
        try AuditLog(path: path).append(event: "step.ended", runID: "r1", fields: [], sync: false)
        let report = try AuditVerifier.verify(path: path)
        #expect(report.intact)
        #expect(report.crashes.isEmpty)
        #expect(report.records == 3)
    }

    @Test func tamperingIsStillCaughtBesideATornWrite() throws {
        let (path, _) = try makeLog(records: 3)
        try appendRaw(path, #"{"seq":4,"ts":"2026"#)
        let log = try AuditLog(path: path)
        for i in 0..<3 { try log.append(event: "step.ended", runID: "r2", fields: [("i", .int(i))], sync: false) }
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(try AuditVerifier.verify(path: path).crashes.count == 1)
        // An edited record after the torn one.
        lines[5] = lines[5].replacingOccurrences(of: "\"i\":1", with: "\"i\":7")
        try rewrite(path, lines)
        let edited = try AuditVerifier.verify(path: path)
        #expect(edited.problem?.line == 6)
        #expect(edited.problem?.message.contains("edited") == true)
        // A complete record replaced by garbage is not a crash: the chain does not continue across it.
        var garbage = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        garbage[5] = lines[5].replacingOccurrences(of: "\"i\":7", with: "\"i\":1")
        garbage[1] = "{\"seq\":2,"
        try rewrite(path, garbage)
        let replaced = try AuditVerifier.verify(path: path)
        #expect(replaced.problem?.line == 2, "\(String(describing: replaced.problem))")
        #expect(replaced.problem?.message.contains("not a JSON record") == true)
    }

    @Test func verifyStreamsLongLogsAndLongLines() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
        let log = try AuditLog(path: path)
        let big = String(repeating: "x", count: 3 << 20)  // a line longer than the read buffer
        try log.append(event: "run.started", runID: "r", fields: [("blob", .string(big))], sync: false)
        for i in 0..<2000 { try log.append(event: "step.ended", runID: "r", fields: [("i", .int(i)), ("nested", .object([("prev", "x"), ("seq", 9)]))], sync: false) }
        let report = try AuditVerifier.verify(path: path)
        #expect(report.intact, "\(String(describing: report.problem))")
        #expect(report.records == 2001)
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(AuditVerifier.verify(bytes: bytes).records == 2001)
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
