import Foundation
import Testing

extension SandboxSuites {
    /// Issue 11, "done when": the monthly and scenario-4 runbooks' high-risk actions in a
    /// production-like environment requiring one approval (``FourEyesProject``). Ana runs,
    /// stops at each high-risk action with a request (exit 3), Bruno (or Carla) approves, Ana
    /// resumes: the action runs, and the runbook goes on to the next high-risk action and its
    /// own request, until the run ends. The data changes as the runbooks' own tests assert.
    @Suite("four-eyes approvals on the project's runbooks")
    struct FourEyesRunbookTests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        static let reindexes = ["reindex-etl-file", "reindex-etl-dead-letter-queue", "reindex-etl-alert-history", "reindex-cattle-lot"]

        @Test func monthlyMaintenanceNeedsOneApprovalPerHighRiskAction() throws {
            try sandbox.reseed("weekly-maintenance")
            let project = try FourEyesProject(sandbox: sandbox)
            defer { project.drop() }
            let monthly = try MonthlyMaintenanceTests()
            let countsBefore = try sandbox.psql(monthly.rowCounts).split(separator: "/").compactMap { Int($0) }
            let indexesBefore = MonthlyMaintenanceTests.counts(try sandbox.psql(monthly.indexFiles))
            let analyzedBefore = MonthlyMaintenanceTests.counts(try sandbox.psql(monthly.analyzeCounts))
            var dlqToGo = -1, alertsToGo = -1

            let stages = try project.chain("monthly-maintenance", requester: "ana", approver: "bruno") { n, stage in
                let counts = try sandbox.psql(monthly.rowCounts).split(separator: "/").compactMap { Int($0) }
                let indexes = MonthlyMaintenanceTests.counts(try sandbox.psql(monthly.indexFiles))
                let rebuilt = Set(indexes.filter { indexesBefore[$0.key] != $0.value }.keys)
                switch n {
                case 0:
                    // Stopped at the first delete: nothing deleted; ANALYZE (low, before every
                    // high gate) ran already.
                    #expect(stage.statuses["analyze"] == "succeeded")
                    let counted = try #require(MonthlyMaintenanceTests.row(stage.report, "cleanup-candidates"))
                    dlqToGo = counted["resolved_dlq"] as? Int ?? -1
                    alertsToGo = counted["resolved_alerts"] as? Int ?? -1
                    #expect(dlqToGo > 0 && alertsToGo > 0, "\(counted)")
                    #expect(counts == countsBefore, "a delete ran before its approval")
                case 1:
                    // The DLQ cleanup ran; the alerts wait for their own approval.
                    #expect(stage.statuses["delete-resolved-dlq"] == "succeeded")
                    #expect(counts == [countsBefore[0] - dlqToGo, countsBefore[1], countsBefore[2], countsBefore[3], countsBefore[4], countsBefore[5]],
                            "before \(countsBefore), now \(counts)")
                case 2:
                    // Both cleanups done (the DLQ's by the run before), verified; ANALYZE (low) ran
                    // in the first run.
                    #expect(stage.statuses["delete-resolved-alerts"] == "succeeded")
                    #expect(stage.statuses["cleanup-left"] == "green")
                    #expect(stage.statuses["analyze"] == "succeeded")
                    #expect(stage.statuses["table-stats-after"] == "green")
                    #expect(counts == [countsBefore[0] - dlqToGo, countsBefore[1], countsBefore[2] - alertsToGo, countsBefore[3], countsBefore[4], countsBefore[5]],
                            "before \(countsBefore), now \(counts)")
                    let analyzed = MonthlyMaintenanceTests.counts(try sandbox.psql(monthly.analyzeCounts))
                    for (table, count) in analyzed { #expect(count > analyzedBefore[table] ?? Int.max, "\(table) not analyzed") }
                    #expect(rebuilt.isEmpty, "an index was rebuilt before its approval: \(rebuilt)")
                default:
                    // One more table reindexed per approval, and no other.
                    let done = Self.reindexes.prefix(n - 2)
                    for reindex in done { #expect(stage.statuses[reindex] == "succeeded", "\(reindex) in stage \(n)") }
                    let tables = try Set(sandbox.psql("""
                        SELECT string_agg(DISTINCT t.relname, ',') FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                        JOIN pg_class t ON t.oid = x.indrelid WHERE i.relname IN (\(rebuilt.map { "'\($0)'" }.joined(separator: ", ").nonEmpty ?? "''"))
                        """).split(separator: ",").map { "reindex-" + $0.replacingOccurrences(of: "_", with: "-") })
                    #expect(tables == Set(done), "stage \(n): rebuilt \(rebuilt)")
                }
            }

            // One request per high-risk action, in the runbook's order; the last run completes.
            #expect(stages.map { $0.awaiting ?? "-" } == ["delete-resolved-dlq", "delete-resolved-alerts"] + Self.reindexes + ["-"])
            let last = try #require(stages.last)
            for action in ["delete-resolved-dlq", "delete-resolved-alerts", "analyze"] + Self.reindexes {
                #expect(last.statuses[action] == "succeeded", "\(action): \(last.statuses[action] ?? "missing")")
            }
            // Done by earlier runs of the chain: not run again, named, and read as succeeded, so
            // the checks that verify them run again instead of being skipped.
            let earlier = try #require(Scenario4Tests.step(last.report, "delete-resolved-dlq")?["message"] as? String)
            let resumed = try #require(stages.dropLast().last?.request)
            #expect(earlier.hasPrefix("done before approval request \(resumed) (run "), "\(earlier)")
            #expect(last.statuses["cleanup-left"] == "green")
            #expect(last.statuses["table-stats-after"] == "green")
            #expect(last.statuses["index-health-after"] == "green")
            let rebuilt = MonthlyMaintenanceTests.counts(try sandbox.psql(monthly.indexFiles))
            #expect(rebuilt.count == indexesBefore.count && rebuilt.count >= 11, "\(rebuilt)")
            for (index, node) in rebuilt { #expect(node != indexesBefore[index], "\(index) was not rebuilt") }

            #expect(try project.ledgerSQL("SELECT string_agg(DISTINCT status, ',') || ' ' || count(*) FROM runbook.approval_requests") == "used 6")
            let verify = try project.runbook(["audit", "verify", "--env", "production", "--ledger"])
            #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
            #expect(verify.stdout.contains("6 four-eyes gates passed with enough valid approvals"), "\(verify.stdout)")
        }

        @Test func scenario4CreatesTheIndexOnceApproved() throws {
            try sandbox.reseed("scenario-4-performance-degradation")
            let s4 = try Scenario4Tests()
            try s4.waitFor("SELECT count(*) >= 3 FROM etl_file WHERE status = 'loaded' AND completed_at > now() - interval '2 minutes'")
            #expect(try sandbox.psql(s4.index) == "0")
            #expect(try s4.slowFault() == 1500)
            let analyzedBefore = try sandbox.psql(s4.lastAnalyze)
            let project = try FourEyesProject(sandbox: sandbox)
            defer { project.drop() }

            let stages = try project.chain("scenario-4-performance-degradation", requester: "ana", approver: "carla") { n, stage in
                guard n == 0 else { return }
                // ANALYZE (medium, --yes) ran; the index (high) waits for Carla; nothing after it ran.
                #expect(stage.statuses["analyze-etl-file"] == "succeeded")
                #expect(stage.statuses["restart-service"] == nil)
                #expect(try sandbox.psql(s4.index) == "0")
                #expect(try sandbox.psql(s4.lastAnalyze) != analyzedBefore)
                #expect(try s4.slowFault() == 1500)
                // Files keep arriving meanwhile (and give the verification files processed after the restart).
                for n in 1...8 { try s4.upload("probe-4eyes-\(n).csv") }
            }
            #expect(stages.map { $0.awaiting ?? "-" } == ["create-index", "-"])
            let last = try #require(stages.last)
            for action in ["analyze-etl-file", "create-index", "restart-service"] {
                #expect(last.statuses[action] == "succeeded", "\(action): \(last.statuses[action] ?? "missing")")
            }
            for check in ["missing-index-after", "index-used", "table-stats-after", "api-health-after", "slow-log-after"] {
                #expect(last.statuses[check] == "green", "\(check): \(last.statuses[check] ?? "missing")")
            }
            #expect(try sandbox.psql(s4.index) == "1")
            #expect(try s4.slowFault() == 0, "the restart did not clear the slowness")
            try s4.expectFastAfterRepair(prefix: "probe-4eyes")
            let verify = try project.runbook(["audit", "verify", "--env", "production", "--ledger"])
            #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
            #expect(verify.stdout.contains("1 four-eyes gate passed with enough valid approvals"), "\(verify.stdout)")
        }
    }
}

extension String {
    /// Nil when empty.
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
