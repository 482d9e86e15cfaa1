import Foundation
import Testing

extension SandboxSuites {
    /// Cenário 4: the index on etl_file (status, updated_at) is gone and etl-core runs with a
    /// 1.5 s slow_ms fault. The dry run finds both (red) and plans ANALYZE, the index (high
    /// risk) and a restart; `--yes` alone stops at the index's gate; with `--approve
    /// create-index` the live run repairs, the planner uses the index and the files processed
    /// after the restart are fast, with no SLOW_QUERY.
    @Suite("runbook scenario-4-performance-degradation")
    struct Scenario4Tests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        let index = "SELECT count(*) FROM pg_indexes WHERE tablename = 'etl_file' AND indexdef LIKE '%(status, updated_at)'"
        let lastAnalyze = "SELECT coalesce(last_analyze::text, 'never') FROM pg_stat_user_tables WHERE relname = 'etl_file'"

        @Test func diagnosesRepairsAndVerifies() throws {
            try sandbox.reseed("scenario-4-performance-degradation")
            let audit = Sandbox.auditPath()
            // The fault shows once the slowed worker has finished a few of the scenario's files.
            try waitFor("SELECT count(*) >= 3 FROM etl_file WHERE status = 'loaded' AND completed_at > now() - interval '2 minutes'")
            #expect(try sandbox.psql(index) == "0")
            let analyzedBefore = try sandbox.psql(lastAnalyze)
            #expect(try slowFault() == 1500)

            let dry = try sandbox.runbook(["run", "scenario-4-performance-degradation", "--dry-run", "--format", "json"], audit: audit)
            #expect(dry.code == 1, "\(dry.stderr)")
            let dryReport = try Sandbox.report(dry)
            let dryStatus = Sandbox.statuses(dryReport)
            #expect(dryStatus["missing-index"] == "red")
            #expect(dryStatus["slow-log"] == "red")
            #expect(dryStatus["processing-time"] == "red", "4x slower over the last hour: the seed's symptom is red")
            #expect(dryStatus["slow-statements"] == "yellow", "the 1.5 s storage read tops pg_stat_statements")
            #expect(dryStatus["api-health"] == "green")
            for action in ["analyze-etl-file", "create-index", "restart-service"] {
                #expect(dryStatus[action] == "planned", "\(action)")
            }
            #expect(dryStatus["index-used"] == "skipped")
            #expect((Self.step(dryReport, "create-index")?["message"] as? String)?
                .contains("CREATE INDEX CONCURRENTLY IF NOT EXISTS etl_file_status_updated_at_idx ON etl_file (status, updated_at)") == true)
            let top = (Self.step(dryReport, "slow-statements")?["result"] as? [String: Any])?["rows"] as? [[String: Any]]
            #expect((top?.first?["query"] as? String)?.contains("pg_sleep") == true)
            #expect(try sandbox.psql(index) == "0", "the dry run created the index")
            #expect(try sandbox.psql(lastAnalyze) == analyzedBefore, "the dry run analyzed the table")
            #expect(try slowFault() == 1500, "the dry run restarted the service")

            // --yes passes the medium gates but not the index's high-risk one.
            let gated = try sandbox.runbook(["run", "scenario-4-performance-degradation", "--yes", "--format", "json"], audit: audit)
            #expect(gated.code == 3, "\(gated.stdout)")
            let gatedStatus = Sandbox.statuses(try Sandbox.report(gated))
            #expect(gatedStatus["create-index"] == "awaiting-approval")
            #expect(gatedStatus["restart-service"] == nil, "nothing runs after a closed gate")
            #expect(try sandbox.psql(index) == "0")
            let analyzedAtGate = try sandbox.psql(lastAnalyze)
            #expect(analyzedAtGate != analyzedBefore, "ANALYZE (medium) ran before the gate")

            // Files keep arriving, so the verification sees files processed after the restart.
            for n in 1...8 { try upload("probe-s4-\(n).csv") }
            let live = try sandbox.runbook(["run", "scenario-4-performance-degradation", "--yes", "--approve", "create-index",
                                            "--operator", "oncall", "--format", "json"], audit: audit)
            #expect(live.code == 0, "\(live.stdout)\(live.stderr)")
            let liveStatus = Sandbox.statuses(try Sandbox.report(live))
            for action in ["analyze-etl-file", "create-index", "restart-service"] {
                #expect(liveStatus[action] == "succeeded", "\(action)")
            }
            #expect(liveStatus["missing-index-after"] == "green")
            #expect(liveStatus["index-used"] == "green")
            #expect(liveStatus["table-stats-after"] == "green")
            #expect(liveStatus["api-health-after"] == "green")
            #expect(liveStatus["slow-log-after"] == "green")
            #expect(try sandbox.psql(index) == "1")
            #expect(try sandbox.psql(lastAnalyze) != analyzedAtGate)
            #expect(try slowFault() == 0, "the restart did not clear the slowness")
            try expectFastAfterRepair(prefix: "probe-s4")
            #expect(try sandbox.auditIntact(audit))
        }

        static func step(_ report: [String: Any], _ id: String) -> [String: Any]? {
            (report["steps"] as? [[String: Any]])?.first { $0["id"] as? String == id }
        }

        /// After the repair, files are processed fast again. Two more probes are uploaded now:
        /// on a slow machine the slowed worker may have drained the earlier ones before the
        /// restart, so each of those may honestly have been slow.
        func expectFastAfterRepair(prefix: String) throws {
            for n in 1...2 { try upload("\(prefix)-after-\(n).csv") }
            try waitFor("""
                SELECT count(*) > 0 FROM etl_file WHERE filename LIKE '\(prefix)-%' AND status = 'loaded'
                   AND completed_at - processing_started_at < interval '1 second'
                """)
        }

        /// Polls a boolean query until it holds (at most 60 s: then the test fails).
        func waitFor(_ sql: String) throws {
            for _ in 0..<120 {
                if try sandbox.psql(sql) == "t" { return }
                usleep(500_000)
            }
            Issue.record("never held: \(sql)")
        }

        /// `faults.slow_ms` of etl-core's /health.
        func slowFault() throws -> Int? {
            let body = try curl(["-sS", "--max-time", "5", "\(sandbox.apiURL)/health"])
            let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            return (json?["faults"] as? [String: Any])?["slow_ms"] as? Int
        }

        /// POST /files with a small valid CSV.
        func upload(_ name: String) throws {
            let body = try JSONSerialization.data(withJSONObject: [
                "filename": name,
                "content": "farm,lot,head_count,weight_kg,price\nfazenda-teste,\(name),10,450,12000\n",
            ])
            let code = try curl(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "-X", "POST",
                                 "-H", "Authorization: Bearer \(sandbox.token)", "-H", "Content-Type: application/json",
                                 "--data-binary", String(decoding: body, as: UTF8.self), "\(sandbox.apiURL)/files"])
            #expect(code == "201", "upload \(name): HTTP \(code)")
        }

        func curl(_ args: [String]) throws -> String {
            try Sandbox.output(["/usr/bin/curl"] + args)
        }
    }
}
