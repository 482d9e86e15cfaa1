import Foundation
import Testing
@testable import RunbookCore

@Suite("Planner: what runs, what is previewed, gated or skipped")
struct PlannerTests {
    typealias Mode = Planner.Mode

    @Test func checksRunInDryRunAndLive() {
        #expect(Planner.decide(kind: .check, id: "c", risk: .low, when: true, mode: Mode(dryRun: true)) == .execute)
        #expect(Planner.decide(kind: .check, id: "c", risk: .low, when: true, mode: Mode(dryRun: false)) == .execute)
    }

    @Test func actionsAreOnlyPreviewedInDryRunWhateverTheFlags() {
        let mode = Mode(dryRun: true, yes: true, approvals: ["a"], interactive: true)
        #expect(Planner.decide(kind: .action, id: "a", risk: .high, when: true, mode: mode) == .preview)
        #expect(Planner.decide(kind: .notify, id: "n", risk: .low, when: true, mode: mode) == .preview)
    }

    @Test func whenFalseSkipsAnything() {
        for kind in [Step.Kind.check, .action, .notify] {
            #expect(Planner.decide(kind: kind, id: "x", risk: .low, when: false, mode: Mode(dryRun: false, yes: true)) == .skip(reason: "when is false"))
        }
    }

    @Test func gatesWithoutTerminal() {
        let live = Mode(dryRun: false)
        #expect(Planner.decide(kind: .action, id: "a", risk: .medium, when: true, mode: live).isBlocked)
        #expect(Planner.decide(kind: .action, id: "a", risk: .medium, when: true, mode: Mode(dryRun: false, yes: true)) == .approved(by: "--yes"))
        #expect(Planner.decide(kind: .action, id: "a", risk: .low, when: true, mode: Mode(dryRun: false, yes: true)) == .approved(by: "--yes"))
        // --yes never passes a high-risk gate; --approve names it.
        #expect(Planner.decide(kind: .action, id: "a", risk: .high, when: true, mode: Mode(dryRun: false, yes: true)).isBlocked)
        #expect(Planner.decide(kind: .action, id: "a", risk: .high, when: true, mode: Mode(dryRun: false, approvals: ["a"])) == .approved(by: "--approve a"))
        // --approve passes only the named gate.
        #expect(Planner.decide(kind: .action, id: "b", risk: .low, when: true, mode: Mode(dryRun: false, approvals: ["a"])).isBlocked)
    }

    @Test func gatesOnTerminal() {
        let tty = Mode(dryRun: false, interactive: true)
        #expect(Planner.decide(kind: .action, id: "a", risk: .medium, when: true, mode: tty) == .ask(risk: .medium))
        #expect(Planner.decide(kind: .action, id: "a", risk: .high, when: true, mode: tty) == .ask(risk: .high))
        #expect(Planner.decide(kind: .notify, id: "n", risk: .high, when: true, mode: tty) == .execute)
    }

    @Test func independentConsecutiveChecksAreGrouped() throws {
        let yaml = """
            runbook: g
            title: G
            steps:
              - check: a
                shell: [true]
              - check: b
                shell: [true]
              - check: c
                shell: [true]
                when: steps.a.status == "red"
              - action: fix
                confirm: ok?
                shell: [true]
              - check: d
                shell: [true]
              - check: e
                shell: [true]
            """
        let runbook = try #require(TestHome().runbook("g", yaml).runbook)
        #expect(Planner.groups(runbook.steps) == [0..<2, 2..<3, 3..<4, 4..<6])
        #expect(Planner.groups(runbook.steps, limit: 1) == [0..<1, 1..<2, 2..<3, 3..<4, 4..<5, 5..<6])
    }

    @Test func aRetryingCheckRunsAloneAndWhatFollowsWaits() throws {
        let yaml = """
            runbook: r
            title: R
            steps:
              - check: a
                shell: [true]
              - check: watch
                shell: [true]
                retry: {until: result.exit_code == 0, every: 1s, for: 5s}
              - check: b
                shell: [true]
              - check: c
                shell: [true]
            """
        let runbook = try #require(TestHome().runbook("r", yaml).runbook)
        #expect(Planner.groups(runbook.steps) == [0..<1, 1..<2, 2..<4])
    }
}

extension Planner.Decision {
    var isBlocked: Bool { if case .blocked = self { return true } else { return false } }
}
