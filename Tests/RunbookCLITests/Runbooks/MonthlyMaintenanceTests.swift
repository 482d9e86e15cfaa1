import Foundation
import Testing

extension SandboxSuites {
    /// Manutenção mensal against the `weekly-maintenance` scenario (120 days of history, so
    /// there are resolved DLQ entries and alerts older than 90 days). The dry run counts what
    /// the cleanup would delete and changes nothing; a scheduled run analyzes (low risk, before
    /// every high gate) and stops at the first delete (it keeps no copy: a named approval);
    /// with the two deletes approved it analyzes and cleans up, then stops at the first REINDEX gate; with the four REINDEX
    /// gates approved it rebuilds every index of the ETL tables.
    @Suite("runbook monthly-maintenance")
    struct MonthlyMaintenanceTests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        let etlTables = "'etl_file', 'etl_dead_letter_queue', 'etl_alert_history', 'cattle_lot'"
        var indexFiles: String {
            """
            SELECT string_agg(i.relname || '=' || i.relfilenode, ',' ORDER BY i.relname)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname IN (\(etlTables))
            """
        }
        var analyzeCounts: String {
            "SELECT string_agg(relname || '=' || analyze_count, ',' ORDER BY relname) FROM pg_stat_user_tables WHERE relname IN (\(etlTables))"
        }
        let rowCounts = """
            SELECT (SELECT count(*) FROM etl_dead_letter_queue) || '/' || (SELECT count(*) FROM etl_dead_letter_queue WHERE NOT resolved)
                   || '/' || (SELECT count(*) FROM etl_alert_history) || '/' || (SELECT count(*) FROM etl_alert_history WHERE NOT resolved)
                   || '/' || (SELECT count(*) FROM etl_file) || '/' || (SELECT count(*) FROM cattle_lot)
            """

        @Test func dryRunCountsCleanupThenGatedReindexAndAnalyze() throws {
            try sandbox.reseed("weekly-maintenance")
            let audit = Sandbox.auditPath()
            let indexesBefore = try sandbox.psql(indexFiles)
            let analyzedBefore = try sandbox.psql(analyzeCounts)
            let countsBefore = try sandbox.psql(rowCounts)

            // Dry run: the cleanup counted exactly, every action planned, nothing changed.
            let dry = try sandbox.runbook(["run", "monthly-maintenance", "--dry-run", "--format", "json"], audit: audit)
            #expect(dry.code == 0, "\(dry.stdout)\(dry.stderr)")
            let dryReport = try Sandbox.report(dry)
            let dryStatus = Sandbox.statuses(dryReport)
            for action in ["delete-resolved-dlq", "delete-resolved-alerts", "analyze", "reindex-etl-file",
                           "reindex-etl-dead-letter-queue", "reindex-etl-alert-history", "reindex-cattle-lot"] {
                #expect(dryStatus[action] == "planned", "\(action): \(dryStatus[action] ?? "missing")")
            }
            #expect(dryStatus["alert-review-log"] == "green")
            let counted = try #require(Self.row(dryReport, "cleanup-candidates"))
            let dlqCutoff = try #require(counted["dlq_cutoff"] as? String)
            let alertCutoff = try #require(counted["alert_cutoff"] as? String)
            let dlqToGo = counted["resolved_dlq"] as? Int ?? -1
            let alertsToGo = counted["resolved_alerts"] as? Int ?? -1
            #expect(dlqToGo > 0 && alertsToGo > 0, "120 days of history leave resolved rows older than 90 days: \(counted)")
            #expect(try sandbox.psql("SELECT count(*) FROM etl_dead_letter_queue WHERE resolved AND resolved_at < '\(dlqCutoff)'::timestamptz") == String(dlqToGo))
            #expect(try sandbox.psql("SELECT count(*) FROM etl_alert_history WHERE resolved AND resolved_at < '\(alertCutoff)'::timestamptz") == String(alertsToGo))
            let review = try #require(Self.result(dryReport, "alert-review")["message"] as? String)
            #expect(review.contains("high_error_rate"), "\(review)")

            #expect(try sandbox.psql(rowCounts) == countsBefore, "the dry run deleted rows")
            #expect(try sandbox.psql(indexFiles) == indexesBefore, "the dry run rebuilt an index")
            #expect(try sandbox.psql(analyzeCounts) == analyzedBefore, "the dry run analyzed")

            // A scheduled run passes low and medium gates and stops at the first high one.
            // ANALYZE, low risk, comes before every high gate, so it runs; the deletes keep no
            // copy, so each needs its named approval: the run stops at the first (exit 3)
            // having deleted nothing.
            let scheduled = try sandbox.runbook(["run", "monthly-maintenance", "--scheduled", "--operator", "cron", "--format", "json"], audit: audit)
            #expect(scheduled.code == 3, "\(scheduled.stdout)\(scheduled.stderr)")
            let scheduledStatus = Sandbox.statuses(try Sandbox.report(scheduled))
            #expect(scheduledStatus["analyze"] == "succeeded", "a scheduled run never reached ANALYZE: \(scheduledStatus["analyze"] ?? "missing")")
            #expect(scheduledStatus["table-stats-after"] == "green")
            #expect(scheduledStatus["delete-resolved-dlq"] == "awaiting-approval")
            #expect(scheduledStatus["reindex-etl-file"] == nil || scheduledStatus["reindex-etl-file"] == "skipped")
            #expect(try sandbox.psql(rowCounts) == countsBefore, "a delete ran without its named approval")
            let analyzedScheduled = try Self.counts(sandbox.psql(analyzeCounts))
            for (table, n) in analyzedScheduled {
                #expect(n > Self.counts(analyzedBefore)[table] ?? Int.max, "\(table) not analyzed by the scheduled run")
            }
            #expect(try sandbox.psql(indexFiles) == indexesBefore, "an index was rebuilt without its gate")

            // --yes and the two cleanup approvals: cleanup (high) and ANALYZE (low) run; the
            // REINDEX gate stops the run.
            let unattended = try sandbox.runbook(["run", "monthly-maintenance", "--yes", "--operator", "cron", "--format", "json",
                                                  "--approve", "delete-resolved-dlq", "--approve", "delete-resolved-alerts"], audit: audit)
            #expect(unattended.code == 3, "\(unattended.stdout)\(unattended.stderr)")
            let unattendedReport = try Sandbox.report(unattended)
            let unattendedStatus = Sandbox.statuses(unattendedReport)
            #expect(unattendedStatus["delete-resolved-dlq"] == "succeeded")
            #expect(unattendedStatus["delete-resolved-alerts"] == "succeeded")
            #expect(unattendedStatus["cleanup-left"] == "green")
            #expect(unattendedStatus["analyze"] == "succeeded")
            #expect(unattendedStatus["reindex-etl-file"] == "awaiting-approval")
            #expect(unattendedStatus["reindex-cattle-lot"] == nil || unattendedStatus["reindex-cattle-lot"] == "skipped")
            // Exactly what the dry run counted went (whole-day cutoffs: the same within a day).
            #expect(Self.row(unattendedReport, "cleanup-candidates")?["dlq_cutoff"] as? String == dlqCutoff)
            // Batched: the JSON the action prints says how many went, and that it finished.
            let dlqDone = Self.result(unattendedReport, "delete-resolved-dlq")["json"] as? [String: Any]
            let alertsDone = Self.result(unattendedReport, "delete-resolved-alerts")["json"] as? [String: Any]
            #expect(dlqDone?["rows"] as? Int == dlqToGo, "\(String(describing: dlqDone))")
            #expect(dlqDone?["finished"] as? Bool == true)
            #expect(alertsDone?["rows"] as? Int == alertsToGo, "\(String(describing: alertsDone))")
            let before = countsBefore.split(separator: "/").compactMap { Int($0) }
            let after = try sandbox.psql(rowCounts).split(separator: "/").compactMap { Int($0) }
            #expect(after == [before[0] - dlqToGo, before[1], before[2] - alertsToGo, before[3], before[4], before[5]],
                    "before \(before), after \(after): only resolved DLQ entries and alerts older than the cutoff go")
            #expect(try sandbox.psql("SELECT count(*) FROM etl_dead_letter_queue WHERE resolved AND resolved_at < '\(dlqCutoff)'::timestamptz") == "0")
            #expect(try sandbox.psql("SELECT count(*) FROM etl_alert_history WHERE resolved AND resolved_at < '\(alertCutoff)'::timestamptz") == "0")
            // ANALYZE ran on every ETL table (analyze_count counts manual ANALYZE only); no index rebuilt.
            let analyzedAfter = try Self.counts(sandbox.psql(analyzeCounts))
            let analyzedFirst = Self.counts(analyzedBefore)
            #expect(analyzedAfter.keys.sorted() == ["cattle_lot", "etl_alert_history", "etl_dead_letter_queue", "etl_file"])
            for (table, n) in analyzedAfter { #expect(n > analyzedFirst[table] ?? Int.max, "\(table) not analyzed") }
            #expect(try sandbox.psql("SELECT count(*) FROM pg_stat_user_tables WHERE relname IN (\(etlTables)) AND last_analyze IS NULL") == "0")
            #expect(try sandbox.psql(indexFiles) == indexesBefore, "an index was rebuilt without its gate")

            // The four REINDEX gates approved: every index of the ETL tables is rebuilt (new relfilenode).
            let approvals = ["reindex-etl-file", "reindex-etl-dead-letter-queue", "reindex-etl-alert-history", "reindex-cattle-lot"]
                .flatMap { ["--approve", $0] }
            let approved = try sandbox.runbook(["run", "monthly-maintenance", "--yes", "--operator", "oncall", "--format", "json"] + approvals, audit: audit)
            #expect(approved.code == 0, "\(approved.stdout)\(approved.stderr)")
            let approvedStatus = Sandbox.statuses(try Sandbox.report(approved))
            for reindex in ["reindex-etl-file", "reindex-etl-dead-letter-queue", "reindex-etl-alert-history", "reindex-cattle-lot"] {
                #expect(approvedStatus[reindex] == "succeeded", "\(reindex): \(approvedStatus[reindex] ?? "missing")")
            }
            #expect(approvedStatus["index-health-after"] == "green")
            #expect(approvedStatus["delete-resolved-dlq"] == "skipped", "nothing left to clean up")
            let rebuilt = try Self.counts(sandbox.psql(indexFiles))
            let original = Self.counts(indexesBefore)
            #expect(rebuilt.count == original.count && rebuilt.count >= 11, "\(rebuilt)")
            for (index, node) in rebuilt { #expect(node != original[index], "\(index) was not rebuilt") }
            let operational = try String(contentsOf: URL(fileURLWithPath: sandbox.logDir).appendingPathComponent("operational.log"), encoding: .utf8)
            #expect(operational.contains("Revisão mensal de alertas"))
            #expect(operational.contains("REINDEX TABLE cattle_lot: succeeded"))
            #expect(try sandbox.auditIntact(audit))
        }

        // MARK: helpers

        static func result(_ report: [String: Any], _ step: String) -> [String: Any] {
            let steps = report["steps"] as? [[String: Any]] ?? []
            return steps.first { $0["id"] as? String == step }?["result"] as? [String: Any] ?? [:]
        }

        static func row(_ report: [String: Any], _ step: String) -> [String: Any]? {
            (result(report, step)["rows"] as? [[String: Any]])?.first
        }

        /// "a=1,b=2" → ["a": 1, "b": 2].
        static func counts(_ text: String) -> [String: Int] {
            var out: [String: Int] = [:]
            for pair in text.split(separator: ",") {
                let parts = pair.split(separator: "=")
                if parts.count == 2, let n = Int(parts[1]) { out[String(parts[0])] = n }
            }
            return out
        }
    }
}
