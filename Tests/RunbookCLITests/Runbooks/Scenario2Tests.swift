import Foundation
import Testing

extension SandboxSuites {
    /// Cenário 2: a burst of connection errors. Dry run diagnoses and changes nothing; the live
    /// run re-queues the transient failures and watches the rate fall below 5 %.
    @Suite("runbook scenario-2-high-error-rate")
    struct Scenario2Tests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        @Test func diagnosesRepairsAndVerifies() throws {
            try sandbox.reseed("scenario-2-high-error-rate")
            let audit = Sandbox.auditPath()
            // The window's start is fixed once: a sliding now() would let a seeded file leave
            // the window while the dry run runs (they are minutes apart) and look like a change.
            let since = try sandbox.psql("SELECT (now() - interval '4 hours')::text")
            let state = """
                SELECT count(*) FILTER (WHERE status = 'error') || '/' || count(*) FILTER (WHERE status = 'loaded')
                FROM etl_file WHERE updated_at > '\(since)'
                """
            let before = try sandbox.psql(state)
            let dlqBefore = try sandbox.psql("SELECT count(*) FROM etl_dead_letter_queue WHERE NOT resolved")

            let dry = try sandbox.runbook(["run", "scenario-2-high-error-rate", "--dry-run", "--format", "json"], audit: audit)
            #expect(dry.code == 1, "\(dry.stderr)")
            let dryReport = try Sandbox.report(dry)
            let dryStatus = Sandbox.statuses(dryReport)
            #expect(dryStatus["error-rate"] == "red")
            #expect(dryStatus["api-health"] == "green")
            #expect(dryStatus["reprocess-transient-failures"] == "planned")
            #expect(dryStatus["error-rate-after"] == "skipped")
            #expect(dry.stdout.contains("would POST \(sandbox.apiURL)/files/reprocess?error=connection&since_hours=1"))
            #expect(try sandbox.psql(state) == before, "the dry run changed the database")
            #expect(try sandbox.psql("SELECT count(*) FROM etl_dead_letter_queue WHERE NOT resolved") == dlqBefore)

            let live = try sandbox.runbook(["run", "scenario-2-high-error-rate", "--yes", "--operator", "oncall", "--format", "json"], audit: audit)
            #expect(live.code == 0, "\(live.stdout)\(live.stderr)")
            let liveStatus = Sandbox.statuses(try Sandbox.report(live))
            #expect(liveStatus["reprocess-transient-failures"] == "succeeded")
            #expect(liveStatus["error-rate-after"] == "green")
            #expect(liveStatus["alert-cleared"] == "green", "the page (high_error_rate) did not resolve")
            #expect(try sandbox.psql("SELECT count(*) FROM etl_alert_history WHERE alert = 'high_error_rate' AND NOT resolved") == "0")
            let rate = try sandbox.psql("""
                SELECT round(100.0 * count(*) FILTER (WHERE status = 'error') / count(*) FILTER (WHERE status IN ('loaded','error')), 2)
                FROM etl_file WHERE updated_at > now() - interval '1 hour'
                """)
            #expect((Double(rate) ?? 100) < 5, "error rate after the repair: \(rate)")
            #expect(try sandbox.auditIntact(audit))
        }

        /// A burst that began 50 minutes ago: etl-core's alert (its last hour) pages, while four
        /// hours dilute the burst under 10 %. The runbook measures the alert's window, so it says
        /// red and re-queues what the page is about (it used to say yellow and repair nothing).
        @Test func measuresTheAlertsWindow() throws {
            try sandbox.reseed("error-burst-last-hour")
            let rate = { (hours: Int) throws -> Double in
                Double(try sandbox.psql("""
                    SELECT round(100.0 * count(*) FILTER (WHERE status = 'error') / count(*) FILTER (WHERE status IN ('loaded','error')), 2)
                    FROM etl_file WHERE updated_at > now() - make_interval(hours => \(hours))
                    """)) ?? -1
            }
            let (hour, fourHours) = (try rate(1), try rate(4))
            #expect(hour > 10 && fourHours < 10, "the seed: red in the alert's hour, not over 4 h (\(hour) / \(fourHours))")
            #expect(try sandbox.psql("SELECT count(*) FROM etl_alert_history WHERE alert = 'high_error_rate' AND NOT resolved") == "1")
            let audit = Sandbox.auditPath()
            let dry = try sandbox.runbook(["run", "scenario-2-high-error-rate", "--dry-run", "--format", "json"], audit: audit)
            #expect(dry.code == 1, "\(dry.stdout)\(dry.stderr)")
            let status = Sandbox.statuses(try Sandbox.report(dry))
            #expect(status["error-rate"] == "red", "\(status)")
            #expect(status["reprocess-transient-failures"] == "planned", "\(status)")
            #expect(dry.stdout.contains("since_hours=1"), "the re-queue covers the window measured")

            let live = try sandbox.runbook(["run", "scenario-2-high-error-rate", "--yes", "--operator", "oncall", "--format", "json"], audit: audit)
            #expect(live.code == 0, "\(live.stdout)\(live.stderr)")
            let after = Sandbox.statuses(try Sandbox.report(live))
            #expect(after["reprocess-transient-failures"] == "succeeded")
            #expect(after["alert-cleared"] == "green", "the page did not resolve: \(after)")
            #expect(try sandbox.auditIntact(audit))
        }

        /// The bulk re-queue needs a green API: with etl-core down, the re-queued files would only
        /// wait, so the action is not offered.
        @Test func noRequeueIntoAStoppedWorker() throws {
            try sandbox.reseed("scenario-2-high-error-rate")
            // etl-core stopped (the next test's reseed starts it again).
            let stop = "cd '\(CLITests.packageRoot.path)' && scripts/sandbox stop etl-core > /dev/null 2>&1 < /dev/null"
            #expect(try Sandbox.spawnAndWait(["/bin/bash", "-c", stop]) == 0)
            let dry = try sandbox.runbook(["run", "scenario-2-high-error-rate", "--dry-run", "--format", "json"], audit: Sandbox.auditPath())
            let status = Sandbox.statuses(try Sandbox.report(dry))
            #expect(status["error-rate"] == "red", "\(status)")
            #expect(status["api-health"] == "red", "\(status)")
            #expect(status["reprocess-transient-failures"] == "skipped", "\(status)")
        }
    }
}
