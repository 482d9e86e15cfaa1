import Foundation
import Testing
@testable import RunbookCore

/// Checkpoints without signatures (those are ssh-keygen's, tested in RunbookDriversTests):
/// their one signed form, their file, and what they find in a log.
@Suite("Audit log: checkpoints")
struct CheckpointTests {
    let folder: URL
    let logPath: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoints-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        logPath = folder.appendingPathComponent("audit.jsonl").path
    }

    static let sample = Checkpoint(source: String(repeating: "a", count: 64), seq: 42, hash: String(repeating: "b", count: 64),
                                   previous: Checkpoint.genesis, principal: "alice@example.com", runID: "20261201T120000-abcdef",
                                   time: "2026-12-01T12:00:00.000Z", signature: "SIG")

    @Test func signedTextIsOneFixedForm() {
        #expect(Self.sample.signedText == """
            runbook checkpoint v1
            source: \(String(repeating: "a", count: 64))
            seq: 42
            hash: \(String(repeating: "b", count: 64))
            previous: \(Checkpoint.genesis)
            principal: alice@example.com
            run: 20261201T120000-abcdef
            time: 2026-12-01T12:00:00.000Z

            """)
        var noRun = Self.sample
        noRun.runID = nil
        #expect(noRun.signedText.contains("\nrun: -\n"))
        // The signature is not part of what is signed, nor of the chain.
        var resigned = Self.sample
        resigned.signature = "OTHER"
        #expect(resigned.digest == Self.sample.digest)
        #expect(Self.sample.digest == AuditLog.sha256Hex(Self.sample.signedText))
    }

    @Test func jsonRoundTrips() throws {
        let line = Self.sample.json
        #expect(line.hasPrefix("{\"v\":1,\"source\":\""))
        #expect(try Checkpoint.parse(json: line) == Self.sample)
        var noRun = Self.sample
        noRun.runID = nil
        #expect(noRun.json.contains("\"run_id\":null"))
        #expect(try Checkpoint.parse(json: noRun.json) == noRun)
        #expect(Self.sample.fields.map(\.0) == ["v", "source", "seq", "hash", "previous", "principal", "run_id", "time", "signature"])
    }

    @Test(arguments: [
        ("{\"v\":2}", "unknown checkpoint version 2"),
        ("[1]", "not a JSON object"),
        ("{\"v\":1,\"seq\":1}", "'source' is missing"),
    ])
    func unreadableLinesSayWhy(line: String, message: String) {
        #expect(throws: CheckpointError.self) { try Checkpoint.parse(json: line) }
        do { _ = try Checkpoint.parse(json: line) } catch { #expect(error.message.contains(message), "\(error)") }
    }

    @Test func fieldsThatCouldForgeTheSignedFormAreRefused() {
        var sneaky = Self.sample
        sneaky.principal = "alice\nrun: other"
        #expect(sneaky.problem?.contains("control character") == true)
        sneaky = Self.sample
        sneaky.hash = "B" + String(repeating: "b", count: 63)
        #expect(sneaky.problem == "'hash' is not a SHA-256 in hex")
        #expect(throws: CheckpointError.self) { try Checkpoint.parse(json: sneaky.json) }
    }

    // MARK: Against a log

    /// Appends `runs` runs of three records each, and an unsigned checkpoint after each run.
    func runsWithCheckpoints(_ runs: Int, principal: String = "alice@example.com") async throws {
        let log = try AuditLog(path: logPath)
        let file = CheckpointFile(auditLog: logPath)
        for r in 1...runs {
            let runID = "run-\(r)"
            for event in ["run.started", "step.ended", "run.ended"] { try log.append(event: event, runID: runID, fields: [], sync: false) }
            _ = try await file.append { last in
                let head = try log.head()
                return Checkpoint(source: try AuditLog.firstRecordHash(path: logPath)!, seq: head.seq, hash: head.hash,
                                  previous: last?.digest ?? Checkpoint.genesis, principal: principal, runID: runID, time: "2026-12-01T12:00:0\(r).000Z")
            }
        }
    }

    var logLines: [String] { ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
    var checkpointLines: [String] { ((try? String(contentsOfFile: logPath + ".checkpoints", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

    func rewrite(_ path: String, _ lines: [String], newline: Bool = true) throws {
        try (lines.joined(separator: "\n") + (newline ? "\n" : "")).write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func checkpointsOfAnIntactLogVerify() async throws {
        try await runsWithCheckpoints(3)
        let report = try CheckpointVerifier.verify(auditLog: logPath)
        #expect(report.intact, "\(report.problems)")
        #expect(report.checkpoints.map(\.checkpoint.seq) == [3, 6, 9])
        #expect(report.checkpoints.map(\.runID) == ["run-1", "run-2", "run-3"])
        #expect(report.checkpoints[1].checkpoint.previous == report.checkpoints[0].checkpoint.digest)
        #expect(report.lastSeq == 9)
        let mode = try FileManager.default.attributesOfItem(atPath: logPath + ".checkpoints")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func anOldLogWithoutCheckpointsHasNothingToSay() throws {
        let log = try AuditLog(path: logPath)
        try log.append(event: "run.started", runID: "r", fields: [], sync: true)
        let report = try CheckpointVerifier.verify(auditLog: logPath)
        #expect(report.intact && report.checkpoints.isEmpty && report.warnings.isEmpty)
    }

    @Test func aLogCutBehindItsLastCheckpointIsTruncated() async throws {
        try await runsWithCheckpoints(2)
        try rewrite(logPath, Array(logLines.prefix(4)))  // the chain itself stays intact
        #expect(try AuditVerifier.verify(path: logPath).intact)
        let report = try CheckpointVerifier.verify(auditLog: logPath)
        #expect(report.problems.count == 1)
        let finding = try #require(report.problems.first)
        #expect(finding.seq == 6 && finding.runID == "run-2" && finding.line == 2)
        #expect(finding.message.contains("the log ends at seq 4 but the checkpoint signed by alice@example.com at 2026-12-01T12:00:02.000Z covers seq 6"), "\(finding)")
        #expect(finding.description.hasPrefix("checkpoint on line 2 (seq 6, run run-2): "))
    }

    @Test func aRecordEditedUnderACheckpointIsNamed() async throws {
        try await runsWithCheckpoints(2)
        var lines = logLines
        lines[2] = lines[2].replacingOccurrences(of: "\"run.ended\"", with: "\"run.endeD\"")
        try rewrite(logPath, lines)
        let report = try CheckpointVerifier.verify(auditLog: logPath)
        let finding = try #require(report.problems.first)
        #expect(report.problems.count == 1)
        #expect(finding.seq == 3 && finding.runID == "run-1")
        #expect(finding.message.contains("the record of seq 3 is not the one the checkpoint signed by alice@example.com"), "\(finding)")
    }

    @Test func aLogRewrittenWithAFreshChainIsCaught() async throws {
        try await runsWithCheckpoints(1)
        // The same records written again from scratch (a valid chain, different hashes).
        try FileManager.default.removeItem(atPath: logPath)
        let log = try AuditLog(path: logPath)
        for event in ["run.started", "step.ended", "run.ended"] { try log.append(event: event, runID: "run-X", fields: [], sync: false) }
        #expect(try AuditVerifier.verify(path: logPath).intact)
        let report = try CheckpointVerifier.verify(auditLog: logPath)
        #expect(report.problems.first?.message.contains("the log was replaced, or its first record edited") == true, "\(report.problems)")
    }

    @Test func aRemovedCheckpointBreaksTheChain() async throws {
        try await runsWithCheckpoints(3)
        let lines = checkpointLines
        try rewrite(logPath + ".checkpoints", [lines[0], lines[2]])
        let report = try CheckpointVerifier.verify(auditLog: logPath)
        let finding = try #require(report.problems.first)
        #expect(report.problems.count == 1)
        #expect(finding.line == 2 && finding.seq == 9)
        #expect(finding.message.contains("the checkpoint chain is broken"), "\(finding)")
        try rewrite(logPath + ".checkpoints", [lines[1], lines[2]])
        #expect(try CheckpointVerifier.verify(auditLog: logPath).problems.first?.message.contains("earlier checkpoints were removed") == true)
    }

    @Test func reorderedCheckpointsAreNamed() async throws {
        try await runsWithCheckpoints(2)
        let lines = checkpointLines
        try rewrite(logPath + ".checkpoints", [lines[1], lines[0]])
        let report = try CheckpointVerifier.verify(auditLog: logPath)
        #expect(report.problems.contains { $0.message.contains("checkpoints were reordered") }, "\(report.problems)")
        #expect(report.warnings.contains { $0.message.contains("a clock set back, or a back-dated checkpoint") }, "\(report.warnings)")
    }

    @Test func aTornCheckpointIsACrashAndTheNextOneChainsAcrossIt() async throws {
        try await runsWithCheckpoints(1)
        let lines = checkpointLines
        try rewrite(logPath + ".checkpoints", [lines[0], String(lines[0].prefix(40))], newline: false)
        var report = try CheckpointVerifier.verify(auditLog: logPath)
        #expect(report.intact && report.warnings.count == 1 && report.warnings[0].line == 2)
        // The next append starts on a line of its own and chains to the last whole checkpoint.
        try await runsWithCheckpoints(1)
        report = try CheckpointVerifier.verify(auditLog: logPath)
        #expect(report.intact, "\(report.problems)")
        #expect(report.warnings.map(\.line) == [2])
        #expect(report.checkpoints.count == 2)
    }

    @Test func aCheckpointEditedIntoJunkIsTampering() async throws {
        try await runsWithCheckpoints(2)
        var lines = checkpointLines
        lines[0] = "{\"v\":1}"
        try rewrite(logPath + ".checkpoints", lines)
        let report = try CheckpointVerifier.verify(auditLog: logPath)
        #expect(report.problems.map(\.line) == [1], "\(report.problems)")
    }
}
