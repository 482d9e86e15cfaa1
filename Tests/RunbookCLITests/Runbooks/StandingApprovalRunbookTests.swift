import Foundation
import Testing

extension SandboxSuites {
    /// Issue 21: the project's own scheduled maintenance with standing approvals, in the
    /// production-like project of ``FourEyesProject`` (ana, bruno, carla; one approval for high
    /// risk). The weekly's scheduled run passes its high gate (the log deletion) with the
    /// standing approval bruno and carla gave; the monthly's deletion stops when there are more
    /// rows to delete than the standing approval bounds.
    @Suite("standing approvals on the project's scheduled runbooks")
    struct StandingApprovalRunbookTests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        static func until() -> String { ISO8601DateFormatter().string(from: Date().addingTimeInterval(7 * 86_400)) }

        func standing(_ project: FourEyesProject, _ runbook: String, actions: String, bounds: [String]) throws -> String {
            let asked = try project.runbook(["approvals", "standing", "request", runbook, "--env", "production", "--actions", actions,
                                             "--until", Self.until(), "--key", project.key("ana")] + bounds.flatMap { ["--bound", $0] })
            #expect(asked.code == 0, "\(asked.stdout)\(asked.stderr)")
            let id = try #require(asked.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) })
            for who in ["bruno", "carla"] {
                let approved = try project.approve(id, by: who)
                #expect(approved.code == 0, "\(approved.stdout)\(approved.stderr)")
            }
            return id
        }

        func scheduled(_ project: FourEyesProject, _ runbook: String) throws -> CLITests.Output {
            try project.runbook(["run", runbook, "--env", "production", "--scheduled", "--key", project.key("ana"), "--format", "json"])
        }

        @Test func theWeeklyScheduledRunPassesItsHighGateWithAStandingApproval() throws {
            try sandbox.reseed("weekly-maintenance")
            let project = try FourEyesProject(sandbox: sandbox)
            defer { project.drop() }
            let id = try standing(project, "weekly-maintenance", actions: "delete-old-logs", bounds: ["log_days>=30"])
            let run = try scheduled(project, "weekly-maintenance")
            let statuses = Sandbox.statuses(try Sandbox.report(run))
            #expect(statuses["delete-old-logs"] == "succeeded", "\(statuses) \(run.stderr)")
            #expect(run.stderr.contains("'delete-old-logs' passes with standing approval \(id)"), "\(run.stderr)")
            let verify = try project.runbook(["audit", "verify", "--ledger", "--env", "production"])
            #expect(verify.stdout.contains("1 gate of scheduled runs passed with valid standing approvals"), "\(verify.stdout)\(verify.stderr)")
            #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
        }

        @Test func theMonthlyDeletionStopsWhenMoreRowsWaitThanApproved() throws {
            try sandbox.reseed("weekly-maintenance")
            let project = try FourEyesProject(sandbox: sandbox)
            defer { project.drop() }
            let id = try standing(project, "monthly-maintenance", actions: "delete-resolved-dlq,delete-resolved-alerts", bounds: ["resolved_dlq<=1"])
            let run = try scheduled(project, "monthly-maintenance")
            #expect(run.code == 3, "\(run.stdout)\(run.stderr)")
            let statuses = Sandbox.statuses(try Sandbox.report(run))
            #expect(statuses["analyze"] == "succeeded", "\(statuses)")
            #expect(statuses["delete-resolved-dlq"] == "awaiting-approval", "\(statuses)")
            #expect(run.stderr.contains("standing approval \(id) does not pass 'delete-resolved-dlq': steps.cleanup-candidates.result.rows[0].resolved_dlq = "),
                    "\(run.stderr)")
            #expect(run.stderr.contains("is outside the bound resolved_dlq<=1"), "\(run.stderr)")
        }
    }
}
