import Foundation
import RunbookCore
import Testing
@testable import RunbookDrivers

/// A terminal that answers from a script and remembers what it was asked.
final class ScriptedTerminal: GateTerminal, @unchecked Sendable {
    private var answers: [String]
    private(set) var prompts: [String] = []
    private let lock = NSLock()

    init(_ answers: [String]) { self.answers = answers }

    func ask(_ prompt: String) async -> String? {
        lock.withLock {
            prompts.append(prompt)
            return answers.isEmpty ? nil : answers.removeFirst()
        }
    }
}

@Suite("Executor with real shell steps")
struct ExecutorTests {
    let home: URL
    let marker: URL

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString)")
        for d in ["runbooks", "checks", "templates"] {
            try FileManager.default.createDirectory(at: home.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        marker = home.appendingPathComponent("ACTION-RAN")
        try """
            runbook: fix
            title: Fix
            inputs:
              level: {type: int, default: 9}
            steps:
              - check: level
                shell: [echo, "${{ inputs.level }}"]
                thresholds:
                  red: int(trim(result.stdout)) > 5
              - action: repair
                when: steps.level.status == "red"
                risk: RISK
                confirm: "Repair level ${{ inputs.level }}?"
                shell: [touch, ACTION-RAN]
              - check: after
                when: steps.repair.status == "succeeded"
                shell: [test, -f, ACTION-RAN]
              - check: level-again
                when: steps.repair.status == "succeeded"
                same-as: level
            """.write(to: home.appendingPathComponent("runbooks/fix.yaml"), atomically: true, encoding: .utf8)
    }

    func run(risk: String = "medium", mode: Planner.Mode, terminal: (any GateTerminal)? = nil, auditPath: String? = nil, inputs: [String: Value] = ["level": 9]) async throws -> (RunReport, String) {
        let file = home.appendingPathComponent("runbooks/fix.yaml")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "RISK", with: risk)
        try text.write(to: file, atomically: true, encoding: .utf8)
        let (runbook, diagnostics) = RunbookLoader(home: home).loadRunbook(at: file)
        let rb = try #require(runbook, "\(diagnostics)")
        let path = auditPath ?? home.appendingPathComponent("audit.jsonl").path
        let audit = try AuditLog(path: path)
        let executor = Executor(drivers: DriverRegistry([.shell: ShellDriver()]), audit: audit,
                                renderer: CommandRenderer(environment: .empty(name: "t"), home: home), redactor: Redactor(), terminal: terminal)
        let report = await executor.run(.init(runbook: rb, environment: .empty(name: "t"), inputs: inputs, mode: mode, operatorName: "tester", host: "h"))
        return (report, path)
    }

    var actionRan: Bool { FileManager.default.fileExists(atPath: marker.path) }

    @Test func dryRunRunsChecksAndOnlyShowsActions() async throws {
        let (report, audit) = try await run(mode: .init(dryRun: true, yes: true, approvals: ["repair"], interactive: true))
        #expect(!actionRan)
        #expect(report.steps.map(\.status.rawValue) == ["red", "planned", "skipped", "skipped"])
        #expect(report.steps[1].message?.hasPrefix("would run touch ACTION-RAN") == true)
        #expect(report.exitCode == 1)
        #expect(try AuditVerifier.verify(path: audit).intact)
    }

    @Test func greenCheckSkipsTheAction() async throws {
        let (report, _) = try await run(mode: .init(dryRun: false, yes: true), inputs: ["level": 1])
        #expect(report.steps.map(\.status.rawValue) == ["green", "skipped", "skipped", "skipped"])
        #expect(report.exitCode == 0)
        #expect(!actionRan)
    }

    @Test func noTerminalNoFlagStopsAtTheGate() async throws {
        let (report, audit) = try await run(mode: .init(dryRun: false))
        #expect(!actionRan)
        #expect(report.steps.map(\.status.rawValue) == ["red", "awaiting-approval"])
        #expect(report.status == .awaitingApproval)
        #expect(report.exitCode == 3)
        let events = try AuditVerifier.records(path: audit).compactMap { $0["event"]?.stringValue }
        #expect(events.contains("gate.decision"))
        #expect(events.last == "run.ended")
    }

    @Test func yesPassesMediumAndTheVerifyRuns() async throws {
        let (report, audit) = try await run(mode: .init(dryRun: false, yes: true))
        #expect(actionRan)
        // The repeat of `level` still reads 9: red, so the run stays red (exit 1).
        #expect(report.steps.map(\.status.rawValue) == ["red", "succeeded", "green", "red"])
        #expect(report.exitCode == 1)
        let gate = try AuditVerifier.records(path: audit).first { $0["event"]?.stringValue == "gate.decision" }
        #expect(gate?["how"] == "--yes")
        #expect(gate?["by"] == "tester")
    }

    @Test func yesDoesNotPassHighRiskButApproveDoes() async throws {
        let (blocked, _) = try await run(risk: "high", mode: .init(dryRun: false, yes: true))
        #expect(blocked.exitCode == 3)
        #expect(!actionRan)
        let (approved, _) = try await run(risk: "high", mode: .init(dryRun: false, approvals: ["repair"]))
        #expect(approved.exitCode == 1) // the first check is red; the action succeeded
        #expect(approved.steps[1].status.rawValue == "succeeded")
        #expect(actionRan)
    }

    @Test func terminalYesRunsTheAction() async throws {
        let terminal = ScriptedTerminal(["y"])
        let (report, audit) = try await run(mode: .init(dryRun: false, interactive: true), terminal: terminal)
        #expect(actionRan)
        #expect(report.steps[1].status.rawValue == "succeeded")
        #expect(terminal.prompts.first?.contains("Repair level 9?") == true)
        #expect(terminal.prompts.first?.contains("will run: touch ACTION-RAN") == true)
        #expect(terminal.prompts.first?.contains("[y/N]") == true)
        let gate = try AuditVerifier.records(path: audit).first { $0["event"]?.stringValue == "gate.decision" }
        #expect(gate?["how"] == "terminal")
        #expect(gate?["decision"] == "approved")
    }

    @Test func terminalDefaultIsNo() async throws {
        let (report, _) = try await run(mode: .init(dryRun: false, interactive: true), terminal: ScriptedTerminal([""]))
        #expect(!actionRan)
        #expect(report.steps.map(\.status.rawValue) == ["red", "declined"])
        #expect(report.exitCode == 3)
    }

    @Test func highRiskNeedsTheIDTyped() async throws {
        let terminal = ScriptedTerminal(["y"])
        let (declined, _) = try await run(risk: "high", mode: .init(dryRun: false, interactive: true), terminal: terminal)
        #expect(declined.steps[1].status.rawValue == "declined")
        #expect(terminal.prompts.first?.contains("Type the action id (repair)") == true)
        #expect(!actionRan)
        let (approved, _) = try await run(risk: "high", mode: .init(dryRun: false, interactive: true), terminal: ScriptedTerminal(["repair"]))
        #expect(approved.steps[1].status.rawValue == "succeeded")
        #expect(actionRan)
    }

    @Test func unwritableAuditLogMeansNothingRuns() async throws {
        let (report, _) = try await run(mode: .init(dryRun: false, yes: true), auditPath: "/dev/full")
        #expect(!actionRan)
        #expect(report.steps.isEmpty)
        #expect(report.exitCode == 4)
        #expect(report.message?.contains("audit log cannot be written") == true)
    }
}

@Suite("Run outcome")
struct RunOutcomeTests {
    func outcome(_ steps: [(String, Step.Kind, StepStatus, String?)], end: RunOutcome.End = .completed) -> RunOutcome {
        let reports = steps.map { id, kind, status, sameAs in
            var s = StepReport(id: id, kind: kind, title: id, status: status)
            s.supersedes = sameAs
            return s
        }
        return RunOutcome(end: end, steps: reports)
    }

    @Test func aVerifiedRepairEndsGreen() {
        let r = outcome([("rate", .check, .red, nil), ("fix", .action, .succeeded, nil), ("rate-after", .check, .green, "rate")])
        #expect(r.status == .green)
        #expect(r.exitCode == 0)
    }

    @Test func anUnverifiedOrFailedRepairStaysRed() {
        #expect(outcome([("rate", .check, .red, nil), ("fix", .action, .succeeded, nil), ("rate-after", .check, .skipped, "rate")]).exitCode == 1)
        #expect(outcome([("rate", .check, .red, nil), ("fix", .action, .succeeded, nil), ("rate-after", .check, .red, "rate")]).exitCode == 1)
        #expect(outcome([("rate", .check, .green, nil), ("fix", .action, .failed, nil)], end: .actionFailed(step: "fix")).exitCode == 1)
        #expect(outcome([("rate", .check, .error, nil)]).exitCode == 4)
    }
}
