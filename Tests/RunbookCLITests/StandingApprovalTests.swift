import Foundation
import Testing

/// Standing approvals end to end (issue 21): alice asks for one with `runbook approvals standing
/// request`, bob and carol approve it with `runbook approve`, and the scheduled run of a
/// weekly runbook, sent to the runner process, passes its high gate with it; one approver
/// only, an edited runbook, a past date or a bound exceeded stop the gate; `audit verify
/// --ledger` proves every gate it passed and reports one whose approval no longer covers it.
@Suite("standing approvals through the runner (issue 21)", .serialized)
struct StandingApprovalTests {
    let team: RunnerTeam

    /// A scheduled runbook shaped like the weekly maintenance: low-risk work, then a high-risk
    /// deletion bounded by its age input (`log_days`: fewer days deletes more).
    static let weekly = """
        runbook: weekly
        title: Weekly
        schedule: {calendar: "Mon *-*-* 06:00", timezone: UTC}
        inputs:
          log_days: {type: int, default: 30}
        steps:
          - check: old
            sql: SELECT v AS error_rate FROM gauge
            thresholds:
              yellow: result.rows[0].error_rate > 10
          - action: tidy
            risk: low
            confirm: "Tidy?"
            sql: UPDATE gauge SET runs = runs
          - action: delete-old
            when: steps.old.status == "yellow"
            risk: high
            confirm: "Delete what is older than ${{ inputs.log_days }} days?"
            sql: UPDATE gauge SET runs = runs + 1
        """

    init() throws {
        team = try RunnerTeam()
        for home in [team.runnerHome, team.aliceHome] { try team.write(home, "runbooks/weekly.yaml", Self.weekly) }
        try team.ledgerSQL("ALTER TABLE gauge ADD COLUMN runs int NOT NULL DEFAULT 0")
    }

    func deletions() throws -> String { try team.ledgerSQL("SELECT runs FROM gauge") }

    static func iso(_ seconds: TimeInterval) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date().addingTimeInterval(seconds))
    }

    /// The ledger's reader login for the team's database: all an operator holds.
    func readerURL() throws -> String { Sandbox.url(try Sandbox.variable("RUNBOOK_LEDGER_READER_URL"), database: team.database) }

    /// Alice asks for a standing approval of delete-old (days from now, or an ISO time), approved by `approvers`:
    /// each holding only the ledger's reader login, so the request and the decisions go through the runner.
    func standing(until: String = StandingApprovalTests.iso(30 * 86_400), approvers: [String] = ["bob", "carol"], runner: String) throws -> String {
        let reader = ["PROD_DB_URL": try readerURL()]
        let asked = try team.operatorRun(["approvals", "standing", "request", "weekly", "--env", "prod", "--actions", "delete-old", "--until", until,
                                          "--bound", "log_days>=30", "--key", team.key("alice")], runner: runner, extra: reader)
        #expect(asked.code == 0, "\(asked.stdout)\(asked.stderr)")
        let id = try #require(asked.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) })
        // Recorded as the principal whose key signed the command, signed by the runner for them.
        #expect(try team.ledgerSQL("SELECT requester FROM runbook.approval_requests WHERE id = '\(id)'") == "alice@example.com")
        for who in approvers {
            let approved = try team.operatorRun(["approve", id, "--env", "prod", "--key", team.key(who)], runner: runner, extra: reader)
            #expect(approved.code == 0, "\(approved.stdout)\(approved.stderr)")
            #expect(approved.stdout.contains("standing  every scheduled run of weekly in prod"), "\(approved.stdout)")
        }
        return id
    }

    func scheduledRun(_ runner: String, inputs: [String] = []) throws -> CLITests.Output {
        try team.operatorRun(["run", "weekly", "--env", "prod", "--scheduled", "--key", team.key("alice")] + inputs.flatMap { ["--input", $0] }, runner: runner)
    }

    func verify() throws -> CLITests.Output {
        try team.sandbox.runbook(["audit", "verify", "--ledger", "--env", "prod", "--dir", team.runnerHome.path], audit: team.aliceAudit,
                                 extra: ["PROD_DB_URL": team.url], dir: team.runnerHome)
    }

    @Test func anApprovedStandingApprovalPassesTheScheduledRunsHighGateAndVerifyProvesIt() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        // Without one, the scheduled run stops at the high gate with a request.
        let before = try scheduledRun(runner.url)
        #expect(before.code == 3, "\(before.stdout)\(before.stderr)")
        let id = try standing(runner: runner.url)
        let listed = try team.operatorRun(["approvals", "--env", "prod", "--key", team.key("alice")], runner: runner.url)
        #expect(listed.stdout.contains(id) && listed.stdout.contains("standing: delete-old"), "\(listed.stdout)")
        let json = try team.operatorRun(["approvals", "--env", "prod", "--format", "json", "--key", team.key("alice")], runner: runner.url)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], "\(json.stdout)")
        let listedStanding = try #require(objects.first { $0["id"] as? String == id }?["standing"] as? [String: Any], "\(json.stdout)")
        #expect(listedStanding["actions"] as? [String] == ["delete-old"])
        #expect(listedStanding["bounds"] as? [String] == ["log_days>=30"])
        let run = try scheduledRun(runner.url)
        #expect(run.code == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("'delete-old' passes with standing approval \(id)"), "\(run.stdout)")
        #expect(run.stdout.contains("✔ succeeded          delete-old"), "\(run.stdout)")
        #expect(try deletions() == "1")
        // A second scheduled run passes too: a standing approval is used once per run.
        let next = try scheduledRun(runner.url)
        #expect(next.code == 0, "\(next.stdout)\(next.stderr)")
        #expect(try deletions() == "2")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.standing_uses WHERE request_id = '\(id)' AND step = 'delete-old'") == "2")
        #expect(try team.ledgerSQL("""
            SELECT count(*) FROM runbook.records WHERE event = 'gate.decision' AND line::jsonb->'approval'->>'request_id' = '\(id)'
               AND line::jsonb->'approval' ? 'standing'
            """) == "2", "the standing approval is recorded at each gate it passed")
        let intact = try verify()
        #expect(intact.code == 0, "\(intact.stdout)\(intact.stderr)")
        #expect(intact.stdout.contains("2 gates of scheduled runs passed with valid standing approvals"), "\(intact.stdout)")
        // Carol's approval removed from the ledger: the gates it passed no longer had two.
        try team.ledgerSQL("DELETE FROM runbook.approval_decisions WHERE request_id = '\(id)' AND approver = 'carol@example.com'")
        let broken = try verify()
        #expect(broken.code == 1, "\(broken.stdout)\(broken.stderr)")
        #expect(broken.stdout.contains("'delete-old' passed its gate with standing approval \(id), which did not cover it: 1 valid approval of 2"),
                "\(broken.stdout)")
    }

    @Test func oneApproverOnlyDoesNotPass() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let id = try standing(approvers: ["bob"], runner: runner.url)
        let run = try scheduledRun(runner.url)
        #expect(run.code == 3, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("standing approval \(id) does not pass 'delete-old': 1 of 2 approvals"), "\(run.stdout)")
        #expect(try deletions() == "0")
    }

    @Test func anEditOfTheRunbookVoidsIt() throws {
        defer { team.drop() }
        var runner = try RunnerTeam.Replica(team: team, name: "a")
        let id = try standing(runner: runner.url)
        runner.stop()
        // The team edits the runbook (both copies come from git); the runner restarts on it.
        for home in [team.runnerHome, team.aliceHome] { try team.write(home, "runbooks/weekly.yaml", Self.weekly + "\n# edited\n") }
        runner = try RunnerTeam.Replica(team: team, name: "b")
        defer { runner.stop() }
        let run = try scheduledRun(runner.url)
        #expect(run.code == 3, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("standing approval \(id) does not pass 'delete-old': the runbook changed since approval"), "\(run.stdout)")
        #expect(try deletions() == "0")
    }

    @Test func pastItsDateItIsVoid() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        // A date 75 s away (time to ask and approve on a loaded machine): the ledger's clock
        // passes it while the test waits.
        let id = try standing(until: Self.iso(75), runner: runner.url)
        #expect(RunnerTeam.eventually(180) {
            (try? team.ledgerSQL("SELECT now() > expires_at FROM runbook.approval_requests WHERE id = '\(id)'")) == "t"
        })
        let run = try scheduledRun(runner.url)
        #expect(run.code == 3, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("standing approval \(id) does not pass 'delete-old': expired at"), "\(run.stdout)")
        #expect(try deletions() == "0")
    }

    @Test func aBoundExceededStopsTheGate() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let id = try standing(runner: runner.url)
        let run = try scheduledRun(runner.url, inputs: ["log_days=7"])
        #expect(run.code == 3, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("standing approval \(id) does not pass 'delete-old': inputs.log_days = 7 is outside the bound log_days>=30"),
                "\(run.stdout)")
        #expect(try deletions() == "0")
        // Within the bound, it passes.
        let within = try scheduledRun(runner.url, inputs: ["log_days=45"])
        #expect(within.code == 0, "\(within.stdout)\(within.stderr)")
        #expect(try deletions() == "1")
    }

    /// Refused by the runner, which runs the same checks on its own copy of the runbooks.
    @Test func aStandingApprovalIsOnlyForAScheduledRunbooksGatedActions() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let bad = try team.operatorRun(["approvals", "standing", "request", "weekly", "--env", "prod", "--actions", "tidy", "--until", Self.iso(86_400),
                                        "--key", team.key("alice")], runner: runner.url)
        #expect(bad.code == 2, "\(bad.stdout)\(bad.stderr)")
        #expect(bad.stderr.contains("'tidy' is not an action of weekly that needs approval here (those are: delete-old)"), "\(bad.stderr)")
        let unscheduled = try team.operatorRun(["approvals", "standing", "request", "fix", "--env", "prod", "--actions", "repair", "--until", Self.iso(86_400),
                                                "--key", team.key("alice")], runner: runner.url)
        #expect(unscheduled.code == 2)
        #expect(unscheduled.stderr.contains("fix has no schedule"), "\(unscheduled.stderr)")
        let bound = try team.operatorRun(["approvals", "standing", "request", "weekly", "--env", "prod", "--actions", "delete-old", "--until", Self.iso(86_400),
                                          "--bound", "log_days=30; DROP TABLE gauge", "--key", team.key("alice")], runner: runner.url)
        #expect(bound.code == 2)
        let misspelt = try team.operatorRun(["approvals", "standing", "request", "weekly", "--env", "prod", "--actions", "delete-old", "--until", Self.iso(86_400),
                                             "--bound", "log_dayz>=30", "--key", team.key("alice")], runner: runner.url)
        #expect(misspelt.code == 2)
        #expect(misspelt.stderr.contains("--bound log_dayz>=30: weekly has no input and reads no value named 'log_dayz'"), "\(misspelt.stderr)")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.approval_requests") == "0", "nothing was recorded")
    }
}
