import Foundation
import Testing

extension SandboxSuites {
    /// Cenário 4, one real database cause at a time (issue 21): a dropped index, a bloated
    /// etl_file (autovacuum off, dead versions left by updates), a session holding a lock the
    /// worker's loads wait for. For each, the diagnosis names that cause, plans only its cure,
    /// processing-performance (same shared checks) is red on it too, and the live run cures it:
    /// CREATE INDEX CONCURRENTLY, VACUUM (ANALYZE), pg_terminate_backend of the blocker. The
    /// restart is planned for none of them, and the lock test shows a restart does not cure
    /// the lock. (Scenario4Tests covers the slow_ms fault, where the restart is what cures.)
    @Suite("runbook scenario-4-performance-degradation: each cause and its cure")
    struct Scenario4CausesTests {
        let sandbox: Sandbox
        let s4: Scenario4Tests
        init() throws {
            sandbox = try Sandbox.current()
            s4 = try Scenario4Tests()
        }

        static let runbook = "scenario-4-performance-degradation"
        static let deadRows = "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'etl_file'"
        static let liveRows = "SELECT count(*) FROM etl_file"
        static let holder = """
            SELECT coalesce(string_agg(l.pid::text, ','), '') FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
             WHERE c.relname = 'cattle_lot' AND l.mode = 'ShareLock' AND l.granted
            """
        static let workerWaits = """
            SELECT coalesce(string_agg(pid::text, ','), '') FROM pg_stat_activity
             WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM cattle_lot%'
            """

        @Test func droppedIndexIsCuredByTheIndex() throws {
            try sandbox.reseed("scenario-4-dropped-index")
            let audit = Sandbox.auditPath()
            #expect(try sandbox.psql(s4.index) == "0")
            try expectPerformanceRed(on: "missing-index")
            let etlPid = try etlCorePid()

            let dry = try run(["--dry-run"], audit: audit)
            #expect(dry.code == 1, "\(dry.stderr)")
            let report = try Sandbox.report(dry)
            let status = Sandbox.statuses(report)
            #expect(status["missing-index"] == "red")
            #expect(status["table-bloat"] == "green")
            #expect(status["blocked-sessions"] == "green")
            #expect(status["create-index"] == "planned")
            for action in ["vacuum-etl-file", "terminate-blocker", "restart-service"] {
                #expect(status[action] == "skipped", "\(action): the index is the only cause")
            }
            #expect(cause(report).contains("índice etl_file (status, updated_at) ausente"), "\(cause(report))")
            #expect(!cause(report).contains("inchada") && !cause(report).contains("lock"), "\(cause(report))")

            let live = try sandbox.withUploads("probe-index") {
                try run(["--yes", "--approve", "create-index", "--operator", "oncall"], audit: audit)
            }
            #expect(live.code == 0, "\(live.stdout)\(live.stderr)")
            let liveStatus = Sandbox.statuses(try Sandbox.report(live))
            #expect(liveStatus["create-index"] == "succeeded")
            #expect(liveStatus["index-used"] == "green")
            #expect(liveStatus["processing-time-after"] == "green")
            #expect(liveStatus["restart-service"] == "skipped")
            #expect(try sandbox.psql(s4.index) == "1")
            #expect(try etlCorePid() == etlPid, "etl-core was restarted")
            #expect(try sandbox.auditIntact(audit))
        }

        @Test func bloatIsCuredByVacuumNotAnalyze() throws {
            try sandbox.reseed("scenario-4-bloat")
            let audit = Sandbox.auditPath()
            let liveRows = try Int(sandbox.psql(Self.liveRows)) ?? 0
            #expect(liveRows > 10_000)
            #expect((try Int(sandbox.psql(Self.deadRows)) ?? 0) > 3 * liveRows, "the seed leaves 4 dead versions of every row")
            #expect(try sandbox.psql("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'etl_file'") == "autovacuum_enabled=false")
            // ANALYZE, the cure the runbook had, refreshes the statistics and leaves every dead row.
            try sandbox.psql("ANALYZE etl_file")
            #expect((try Int(sandbox.psql(Self.deadRows)) ?? 0) > 3 * liveRows, "ANALYZE removed dead rows")
            try expectPerformanceRed(on: "table-bloat")
            let etlPid = try etlCorePid()

            let dry = try run(["--dry-run"], audit: audit)
            #expect(dry.code == 1, "\(dry.stderr)")
            let report = try Sandbox.report(dry)
            let status = Sandbox.statuses(report)
            #expect(status["table-bloat"] == "red")
            #expect(status["missing-index"] == "green")
            #expect(status["blocked-sessions"] == "green")
            #expect(status["vacuum-etl-file"] == "planned")
            #expect(status["enable-autovacuum"] == "planned")
            for action in ["analyze-etl-file", "create-index", "terminate-blocker", "restart-service"] {
                #expect(status[action] == "skipped", "\(action): bloat is the only cause")
            }
            #expect(cause(report).contains("etl_file inchada") && cause(report).contains("autovacuum desligado"), "\(cause(report))")
            #expect((try Int(sandbox.psql(Self.deadRows)) ?? 0) > 3 * liveRows, "the dry run vacuumed")

            let live = try sandbox.withUploads("probe-bloat") { try run(["--yes", "--operator", "oncall"], audit: audit) }
            #expect(live.code == 0, "\(live.stdout)\(live.stderr)")
            let liveStatus = Sandbox.statuses(try Sandbox.report(live))
            #expect(liveStatus["vacuum-etl-file"] == "succeeded")
            #expect(liveStatus["enable-autovacuum"] == "succeeded")
            #expect(liveStatus["table-bloat-after"] == "green")
            #expect(liveStatus["processing-time-after"] == "green")
            #expect(liveStatus["restart-service"] == "skipped")
            #expect((try Int(sandbox.psql(Self.deadRows)) ?? .max) * 5 < liveRows, "VACUUM left the dead rows")
            #expect(try sandbox.psql("SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE relname = 'etl_file'") == "")
            #expect(try etlCorePid() == etlPid, "etl-core was restarted")
            #expect(try sandbox.auditIntact(audit))
        }

        @Test func lockContentionIsCuredByTerminatingTheBlocker() throws {
            try sandbox.reseed("scenario-4-lock-contention")
            let audit = Sandbox.auditPath()
            let holder = try sandbox.psql(Self.holder)
            #expect(Int(holder) != nil, "one session holds the SHARE lock: '\(holder)'")
            try s4.waitFor("SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM cattle_lot%'")
            let firstWaiter = try sandbox.psql(Self.workerWaits)

            // A restart does not cure it: the new worker's first load waits for the same lock.
            let restarted = try Sandbox.spawnAndWait(["/bin/bash", "-c",
                "cd '\(CLITests.packageRoot.path)' && scripts/sandbox restart etl-core >/dev/null 2>&1 </dev/null"])
            #expect(restarted == 0)
            try s4.upload("probe-lock-restart.csv")
            try s4.waitFor("""
                SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM cattle_lot%'
                   AND pid::text <> '\(firstWaiter)' AND now() - query_start > interval '6 seconds'
                """)
            #expect(try sandbox.psql(Self.holder) == holder)
            #expect(try sandbox.psql("SELECT status FROM etl_file WHERE filename = 'probe-lock-restart.csv'") != "loaded")
            let etlPid = try etlCorePid()
            try expectPerformanceRed(on: "blocked-sessions", inputs: ["--input", "lock_wait_seconds=5"])

            let dry = try run(["--dry-run", "--input", "lock_wait_seconds=5"], audit: audit)
            #expect(dry.code == 1, "\(dry.stderr)")
            let report = try Sandbox.report(dry)
            let status = Sandbox.statuses(report)
            #expect(status["blocked-sessions"] == "red")
            #expect(status["missing-index"] == "green")
            #expect(status["table-bloat"] == "green")
            #expect(status["terminate-blocker"] == "planned")
            for action in ["vacuum-etl-file", "create-index", "restart-service"] {
                #expect(status[action] == "skipped", "\(action): the lock is the only cause")
            }
            #expect(cause(report).contains("contenção de lock: a sessão \(holder) (usuário etl, psql, idle in transaction"), "\(cause(report))")
            let row = Scenario4Tests.step(report, "blocked-sessions").flatMap { ($0["result"] as? [String: Any])?["rows"] as? [[String: Any]] }?.first
            #expect((row?["blocking_query"] as? String)?.contains("CREATE INDEX cattle_lot_farm_idx") == true, "\(String(describing: row))")

            // --yes passes the medium gates, not the termination's high one.
            let gated = try run(["--yes", "--input", "lock_wait_seconds=5"], audit: audit)
            #expect(gated.code == 3, "\(gated.stdout)")
            #expect(Sandbox.statuses(try Sandbox.report(gated))["terminate-blocker"] == "awaiting-approval")
            #expect(try sandbox.psql(Self.holder) == holder, "the blocker was terminated without approval")

            let live = try sandbox.withUploads("probe-lock") {
                try run(["--yes", "--approve", "terminate-blocker", "--operator", "oncall", "--input", "lock_wait_seconds=5"], audit: audit)
            }
            #expect(live.code == 0, "\(live.stdout)\(live.stderr)")
            let liveStatus = Sandbox.statuses(try Sandbox.report(live))
            #expect(liveStatus["terminate-blocker"] == "succeeded")
            #expect(liveStatus["blocked-sessions-after"] == "green")
            #expect(liveStatus["processing-time-after"] == "green")
            #expect(liveStatus["restart-service"] == "skipped")
            #expect(try sandbox.psql(Self.holder) == "", "the lock is still held")
            #expect(try sandbox.psql("SELECT count(*) FROM pg_stat_activity WHERE pid = \(holder)") == "0")
            #expect(try sandbox.psql("SELECT count(*) FROM pg_indexes WHERE indexname = 'cattle_lot_farm_idx'") == "0",
                    "the blocker's transaction was not rolled back")
            try s4.waitFor("SELECT status = 'loaded' FROM etl_file WHERE filename = 'probe-lock-restart.csv'")
            #expect(try etlCorePid() == etlPid, "etl-core was restarted")
            #expect(try sandbox.auditIntact(audit))
        }

        /// `runbook run scenario-4-performance-degradation ARGS --format json`.
        func run(_ args: [String], audit: String) throws -> CLITests.Output {
            try sandbox.runbook(["run", Self.runbook] + args + ["--format", "json"], audit: audit)
        }

        /// processing-performance, which repairs nothing, is red on the same step (a shared check).
        func expectPerformanceRed(on step: String, inputs: [String] = []) throws {
            let out = try sandbox.runbook(["run", "processing-performance", "--dry-run", "--format", "json"] + inputs, audit: Sandbox.auditPath())
            #expect(out.code == 1, "\(out.stdout)\(out.stderr)")
            #expect(Sandbox.statuses(try Sandbox.report(out))[step] == "red", "processing-performance \(step)")
        }

        /// The `cause` step's sentence.
        func cause(_ report: [String: Any]) -> String {
            let rows = (Scenario4Tests.step(report, "cause")?["result"] as? [String: Any])?["rows"] as? [[String: Any]]
            return rows?.first?["cause"] as? String ?? ""
        }

        /// etl-core's pid, from the sandbox's pid file.
        func etlCorePid() throws -> String {
            try String(contentsOfFile: CLITests.packageRoot.appendingPathComponent(".sandbox/etl-core.pid").path, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
