import Foundation
import Testing
@testable import RunbookCore

/// The pure parts of four-eyes approvals: the plan digest, its diff, the policy and the tally.
@Suite("Approvals: digest, policy and tally")
struct ApprovalTests {
    func plan(rate: Value = .int(15), status: String = "red", command: String = "UPDATE gauge SET v = 1", inputs: Value = .object([("window", .int(4))])) -> ApprovalPlan {
        ApprovalPlan(runbook: "fix", runbookSHA256: "aa", environment: "prod", environmentSHA256: "bb", inputs: inputs, action: "repair", risk: .high,
                     required: 1, command: .object([("driver", "sql"), ("sql", .string(command)), ("params", .object(ValueObject()))]),
                     display: "SQL \(command)", question: "Repair?",
                     findings: [.init(step: "error-rate", title: "Error rate", status: status, values: [("steps.error-rate.result.rows[0].error_rate", rate)], excerpt: "x")])
    }

    @Test func theDigestCoversWhatRunsAndWhatLedToItButNotExcerpts() {
        let base = plan()
        #expect(base.digest.hasPrefix("sha256:") && base.digest.count == 71)
        #expect(base.digest == plan().digest)
        var excerpt = base
        excerpt.findings[0].excerpt = "another log line"
        excerpt.display = "shown differently"
        #expect(excerpt.digest == base.digest, "what is only shown is not in the digest")
        for changed in [plan(rate: .int(2)), plan(status: "green"), plan(command: "UPDATE gauge SET v = 0"), plan(inputs: .object([("window", .int(5))]))] {
            #expect(changed.digest != base.digest)
        }
        var file = base
        file.environmentSHA256 = "cc"
        #expect(file.digest != base.digest)
        var done = base
        done.alreadyDone = ["analyze"]
        #expect(done.digest != base.digest)
    }

    @Test func theStoredPlanReHashesToItsDigestWhateverOrderItsKeysComeBackIn() throws {
        let p = plan()
        // PostgreSQL's jsonb gives keys back in its own order.
        let reordered = ApprovalPlan.canonical(p.json)
        let back = try #require(ApprovalPlan(json: try JSON.parse(JSON.encode(reordered), exactDecimals: true)))
        #expect(back.digest == p.digest)
        #expect(back.findings.first?.excerpt == "x")
        #expect(ApprovalPlan.diff(approved: back, now: p).isEmpty)
    }

    @Test func theDiffSaysWhatChangedSinceApproval() {
        let lines = ApprovalPlan.diff(approved: plan(), now: plan(rate: .int(2), status: "green"))
        #expect(lines == ["error-rate: red 15 -> green 2 since approval"])
        var file = plan()
        file.runbookSHA256 = "zz"
        #expect(ApprovalPlan.diff(approved: plan(), now: file) == ["runbook file fix.yaml changed since approval"])
        #expect(ApprovalPlan.diff(approved: plan(), now: plan(command: "DELETE FROM gauge")) == ["command: SQL UPDATE gauge SET v = 1 -> SQL DELETE FROM gauge"])
    }

    @Test func findingsAreTheValuesTheActionReads() throws {
        let (runbook, diagnostics) = TestHome().runbook("t", """
            runbook: t
            title: T
            steps:
              - check: count
                shell: [echo, "1"]
              - action: fix
                when: steps.count.status == "red" and steps.count.result.rows[0].n > 2
                confirm: "Fix ${{ steps.count.result.rows[0].n }}?"
                shell: [echo, fix]
            """)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let step = try #require(runbook?.steps.last)
        let rows: Value = .list([.object([("n", .int(7)), ("at", "2026-01-01")])])
        let scope = ExpressionScope(["steps": .object([("count", .object([("status", "red"), ("result", .object([("rows", rows)]))]))])])
        let findings = ApprovalPlan.findings(of: step, scope: scope, reports: [:])
        #expect(findings.count == 1)
        #expect(findings.first?.status == "red")
        #expect(findings.first?.values.map(\.path) == ["steps.count.result.rows[0].n"])
        #expect(findings.first?.values.map(\.value) == [.int(7)], "only the value read, not the whole row (its timestamp would void every approval)")
    }

    @Test func thePolicyTakesTheRiskOrTheActionsOwnNumberWhicheverIsMore() {
        let policy = ApprovalPolicy(required: [.high: 1, .medium: 0])
        var step = Step(id: "fix", kind: .action, driver: .shell(ShellSpec()), location: SourceLocation(path: "x", line: 1, column: 1))
        step.risk = .high
        #expect(policy.required(for: step) == 1)
        step.approvals = 2
        #expect(policy.required(for: step) == 2)
        step.risk = .medium
        step.approvals = nil
        #expect(policy.required(for: step) == 0)
        #expect(Planner.decide(kind: .action, id: "fix", risk: .high, when: true, mode: { var m = Planner.Mode(dryRun: false, approvals: ["fix"]); m.fourEyes = ["fix": 1]; return m }())
            == .fourEyes(required: 1), "--approve does not pass a four-eyes gate")
        #expect(Planner.decide(kind: .action, id: "fix", risk: .high, when: true, mode: { var m = Planner.Mode(dryRun: true); m.fourEyes = ["fix": 1]; return m }()) == .preview)
    }

    func request(required: Int = 1, status: ApprovalRequest.Status = .pending) -> ApprovalRequest {
        ApprovalRequest(id: "apr-0123456789", runID: "r", runbook: "fix", environment: "prod", action: "repair", risk: .high, requester: "alice",
                        digest: "sha256:x", plan: .null, required: required, status: status, createdAt: 1000, expiresAt: 4600)
    }

    func yes(_ who: String, verified: Bool = true) -> ApprovalTally.Checked {
        (ApprovalDecision(requestID: "apr-0123456789", approver: who, verdict: .approved, comment: "", decidedAt: 1100), verified)
    }

    @Test func theTallyCountsDistinctValidSecondPersons() {
        let policy = ApprovalPolicy(required: [.high: 2], approvers: ["alice", "bob", "carol"])
        #expect(ApprovalTally.standing(request(required: 2), [yes("bob")], policy: policy, now: 2000) == .pending(have: 1, need: 2))
        #expect(ApprovalTally.standing(request(required: 2), [yes("bob"), yes("alice")], policy: policy, now: 2000) == .pending(have: 1, need: 2), "the requester does not count")
        if case .approved(let who) = ApprovalTally.standing(request(required: 2), [yes("bob"), yes("carol")], policy: policy, now: 2000) {
            #expect(who.map(\.approver) == ["bob", "carol"])
        } else { Issue.record("two distinct approvers approve") }
        #expect(ApprovalTally.standing(request(), [yes("bob")], policy: policy, now: 4600) == .expired(at: 4600))
        if case .tampered = ApprovalTally.standing(request(), [yes("bob", verified: false)], policy: policy, now: 2000) {} else { Issue.record("a bad signature") }
        if case .tampered = ApprovalTally.standing(request(), [yes("bob")], policy: policy, requesterVerified: false, now: 2000) {} else { Issue.record("an edited request") }
        #expect(ApprovalTally.standing(request(status: .used), [yes("bob")], policy: policy, now: 2000) == .closed(.used))
        let no = ApprovalDecision(requestID: "apr-0123456789", approver: "carol", verdict: .denied, comment: "no", decidedAt: 1100)
        #expect(ApprovalTally.standing(request(), [yes("bob"), (no, true)], policy: policy, now: 2000) == .denied(no))
    }

    @Test func refusalsNameTheRule() {
        let policy = ApprovalPolicy(required: [.high: 1], approvers: ["bob"])
        #expect(ApprovalTally.refusal(of: "alice", on: request(), [], policy: policy, now: 2000)?.contains("nobody approves their own request") == true)
        #expect(ApprovalTally.refusal(of: "carol", on: request(), [], policy: policy, now: 2000)?.contains("is not an approver") == true)
        #expect(ApprovalTally.refusal(of: "bob", on: request(), [yes("bob")], policy: policy, now: 2000)?.contains("the same person counts once") == true)
        #expect(ApprovalTally.refusal(of: "bob", on: request(), [], policy: policy, now: 5000)?.contains("expired at") == true)
        #expect(ApprovalTally.refusal(of: "bob", on: request(), [], policy: policy, now: 2000) == nil)
    }

    @Test func signedTextsBindEveryDecidingColumn() {
        let r = request()
        var other = r
        other.requester = "mallory"
        #expect(r.signedText != other.signedText)
        let d = yes("bob").decision
        #expect(d.signedText(digest: "sha256:a") != d.signedText(digest: "sha256:b"))
        var edited = d
        edited.comment = "drop it"
        #expect(edited.signedText(digest: "sha256:a") != d.signedText(digest: "sha256:a"))
        #expect(ApprovalRequest.isValidID(ApprovalRequest.newID()))
        #expect(!ApprovalRequest.isValidID("apr-'; DROP TABLE x"))
    }
}
