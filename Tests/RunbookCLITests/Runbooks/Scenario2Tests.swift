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

        /// The bulk re-queue needs the storage the errors name reachable: etl-core writes its
        /// storage address into each connection error, the runbook reads it there and connects.
        /// Storage down: no re-queue (the files would only fail again); storage back: re-queued.
        /// A hostile address in an error message reaches no command.
        @Test func requeueWaitsForTheStorageTheErrorsName() throws {
            try sandbox.reseed("scenario-2-high-error-rate")
            let storage = try sandbox.psql("""
                SELECT DISTINCT substring(error_message FROM '\\(([^)]*)\\)$') FROM etl_file
                 WHERE error_type = 'connection' AND updated_at > now() - interval '1 hour'
                """)
            #expect(storage.hasPrefix("127.0.0.1:"), "the seed names the sandbox's storage, as etl-core does: \(storage)")
            // Files whose error names a hostile "address", newest of all: it never becomes the target.
            let marker = FileManager.default.temporaryDirectory.appendingPathComponent("h21-storage-\(UUID().uuidString)").path
            try sandbox.psql("""
                INSERT INTO etl_file (filename, status, error_type, error_message, content, uploaded_at, processing_started_at, completed_at, updated_at)
                SELECT 'hostile-' || n || '.csv', 'error', 'connection',
                       'connection refused: upstream storage unavailable ($(touch \(marker)):9000)',
                       E'farm,lot,head_count,weight_kg,price\\nfazenda-teste,hostile-' || n || E',10,450,12000\\n', now(), now(), now(), now()
                  FROM generate_series(1, 3) AS n
                """)
            let errorFiles = "SELECT count(*) FROM etl_file WHERE status = 'error' AND error_type = 'connection'"
            let before = try sandbox.psql(errorFiles)
            let fault = { (name: String) throws -> Int32 in
                try Sandbox.spawnAndWait(["/bin/bash", "-c",
                    "cd '\(CLITests.packageRoot.path)' && scripts/sandbox fault \(name) >/dev/null 2>&1 </dev/null"])
            }
            #expect(try fault("storage-down") == 0)
            defer { _ = try? fault("clear") }
            let audit = Sandbox.auditPath()

            let down = try sandbox.runbook(["run", "scenario-2-high-error-rate", "--yes", "--operator", "oncall", "--format", "json"], audit: audit)
            #expect(down.code == 1, "\(down.stdout)\(down.stderr)")
            let downReport = try Sandbox.report(down)
            let downStatus = Sandbox.statuses(downReport)
            #expect(downStatus["error-rate"] == "red")
            #expect(downStatus["api-health"] == "green")
            #expect(downStatus["storage-reachable"] == "red", "\(downStatus)")
            #expect(downStatus["reprocess-transient-failures"] == "skipped")
            let probe = (Scenario4Tests.step(downReport, "storage-reachable")?["result"] as? [String: Any])?["json"] as? [String: Any]
            #expect(probe?["target"] as? String == storage, "\(String(describing: probe))")
            #expect(try sandbox.psql(errorFiles) == before, "files were re-queued with the storage down")

            #expect(try fault("clear") == 0)
            let up = try sandbox.runbook(["run", "scenario-2-high-error-rate", "--yes", "--operator", "oncall", "--format", "json"], audit: audit)
            let upStatus = Sandbox.statuses(try Sandbox.report(up))
            #expect(upStatus["storage-reachable"] == "green", "\(upStatus)")
            #expect(upStatus["reprocess-transient-failures"] == "succeeded")
            #expect((Int(try sandbox.psql(errorFiles)) ?? .max) < (Int(before) ?? 0), "the window's connection failures were not re-queued")
            #expect(!FileManager.default.fileExists(atPath: marker), "a value from an error message ran as a command")
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
