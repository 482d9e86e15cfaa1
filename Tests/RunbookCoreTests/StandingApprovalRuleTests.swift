import RunbookCore
import Testing

/// The rules of a standing approval, without I/O: bounds, what it covers, its stored form.
@Suite struct StandingApprovalRuleTests {
    static let standing = StandingApproval(runbook: "weekly", environment: "prod", runbookSHA256: "abc", actions: ["delete-old", "delete-old"],
                                           bounds: [StandingApproval.Bound("log_days>=30")!, StandingApproval.Bound("resolved_dlq<=5000")!], until: 2_000_000_000)

    static func plan(action: String = "delete-old", sha: String = "abc", logDays: Int = 30, rows: Int = 10) -> ApprovalPlan {
        ApprovalPlan(runbook: "weekly", runbookSHA256: sha, environment: "prod", environmentSHA256: "", inputs: .object(ValueObject([("log_days", .int(logDays))])),
                     action: action, risk: .high, required: 1, command: .null, display: "", question: nil,
                     findings: [.init(step: "candidates", title: "candidates", status: "yellow",
                                      values: [(path: "steps.candidates.result.rows[0].resolved_dlq", value: .int(rows))])])
    }

    @Test func boundsParseOnlyAsNameOperatorNumber() {
        #expect(StandingApproval.Bound("max_minutes<=30")?.description == "max_minutes<=30")
        #expect(StandingApproval.Bound("log_days >= 7")?.atMost == false)
        for bad in ["log_days=30", "<=3", "x<=y", "a;b<=1", "x<=1<=2", "x<=nan", ""] { #expect(StandingApproval.Bound(bad) == nil, "\(bad)") }
    }

    @Test func coversOnlyThisFileTheListedActionsAndValuesWithinBounds() {
        let s = Self.standing
        #expect(s.actions == ["delete-old"])
        #expect(s.refusal(for: Self.plan()) == nil)
        #expect(s.refusal(for: Self.plan(sha: "def"))?.contains("the runbook changed since approval") == true)
        #expect(s.refusal(for: Self.plan(action: "tidy"))?.contains("does not list 'tidy'") == true)
        #expect(s.refusal(for: Self.plan(logDays: 29)) == "inputs.log_days = 29 is outside the bound log_days>=30")
        #expect(s.refusal(for: Self.plan(rows: 5001)) == "steps.candidates.result.rows[0].resolved_dlq = 5001 is outside the bound resolved_dlq<=5000")
        #expect(s.refusal(recorded: [(path: "inputs.log_days", value: .int(30))]) == nil)
        #expect(s.refusal(recorded: [(path: "inputs.log_days", value: .string("x"))]) != nil, "not a number: outside")
    }

    @Test func theStoredPlanRoundTripsAndItsDigestBindsEveryField() {
        let s = Self.standing
        #expect(StandingApproval(json: s.json) == s)
        var later = s
        later.until += 1
        #expect(later.digest != s.digest)
        var wider = s
        wider.bounds = [StandingApproval.Bound("log_days>=1")!]
        #expect(wider.digest != s.digest)
        #expect(StandingApproval(json: .object([("version", .int(1))])) == nil, "an ordinary request's plan")
    }

    @Test func untilIsADayThroughItsEndOrAnISOTime() {
        #expect(StandingApproval.parseUntil("2027-01-31") == 1_801_440_000)
        #expect(StandingApproval.parseUntil("2027-01-31T12:00:00Z") == 1_801_396_800)
        #expect(StandingApproval.parseUntil("31/01/2027") == nil)
        #expect(StandingApproval.parseUntil("tomorrow") == nil)
    }
}
