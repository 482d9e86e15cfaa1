import Foundation
import Testing

extension SandboxSuites {
    /// Cenário 3: 180 new unresolved DLQ entries, mostly transient, attached as etl-core attaches
    /// them (a connection failure to a file in error). The dry run finds the DLQ full and plans
    /// POST /dlq/resolve-transient; the live run resolves exactly the transient (connection)
    /// entries, re-queues their files, which load, and leaves the permanent ones — resource ("file too large", what
    /// etl-core really emits: no retry fixes it), validation, data — for people and lists them.
    @Suite("runbook scenario-3-dlq-full")
    struct Scenario3Tests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        let transient = "SELECT count(*) FROM etl_dead_letter_queue WHERE NOT resolved AND error_type = 'connection'"
        let manual = "SELECT count(*) FROM etl_dead_letter_queue WHERE NOT resolved AND error_type IN ('resource', 'validation', 'data')"
        /// Files in error with a connection failure and an unresolved connection entry.
        let failedTransient = """
            SELECT count(DISTINCT f.id) FROM etl_file f JOIN etl_dead_letter_queue d ON d.file_id = f.id
             WHERE f.status = 'error' AND f.error_type = 'connection' AND NOT d.resolved AND d.error_type = 'connection'
            """
        let tooLarge = "SELECT count(*) FROM etl_dead_letter_queue WHERE NOT resolved AND error_type = 'resource' AND error_message LIKE 'file too large: % bytes exceeds the %-byte limit'"

        @Test func diagnosesResolvesTransientAndListsManualReview() throws {
            try sandbox.reseed("scenario-3-dlq-full")
            let audit = Sandbox.auditPath()
            let transientBefore = Int(try sandbox.psql(transient)) ?? 0
            let manualBefore = Int(try sandbox.psql(manual)) ?? 0
            #expect(transientBefore + manualBefore > 100, "the scenario should fill the DLQ")
            #expect(manualBefore > 0)
            let tooLargeBefore = Int(try sandbox.psql(tooLarge)) ?? 0
            #expect(tooLargeBefore > 0, "the seed emits etl-core's real resource error")
            #expect(try sandbox.psql("SELECT count(*) FROM etl_dead_letter_queue WHERE error_type = 'resource' AND error_message NOT LIKE 'file too large:%'") == "0",
                    "no resource error etl-core cannot produce")
            // As etl-core writes them: a file-level failure belongs to a file in error with that
            // error and no lot loaded; a rejected row to a file that loaded.
            #expect(try sandbox.psql("""
                SELECT count(*) FROM etl_dead_letter_queue d JOIN etl_file f ON f.id = d.file_id
                 WHERE NOT d.resolved AND d.entity_type = 'file'
                   AND (f.status <> 'error' OR f.error_type <> d.error_type OR f.rows_loaded <> 0
                        OR EXISTS (SELECT 1 FROM cattle_lot c WHERE c.file_id = f.id))
                """) == "0", "a file-level DLQ entry on a file that did not fail that way")
            #expect(try sandbox.psql("""
                SELECT count(*) FROM etl_dead_letter_queue d JOIN etl_file f ON f.id = d.file_id
                 WHERE NOT d.resolved AND d.entity_type = 'cattle_lot' AND f.status <> 'loaded'
                """) == "0", "a rejected row of a file that did not load")
            let failedFiles = Int(try sandbox.psql(failedTransient)) ?? 0
            #expect(failedFiles == transientBefore, "one connection entry per failed file")

            let dry = try sandbox.runbook(["run", "scenario-3-dlq-full", "--dry-run", "--format", "json"], audit: audit)
            #expect(dry.code == 1, "\(dry.stderr)")
            let dryReport = try Sandbox.report(dry)
            let dryStatus = Sandbox.statuses(dryReport)
            #expect(dryStatus["dlq-depth"] == "red")
            #expect(dryStatus["dlq-by-type"] == "green")
            #expect(dryStatus["manual-review"] == "yellow")
            #expect(dryStatus["transient-files-in-error"] == "yellow")
            #expect(dryStatus["resolved-without-load"] == "green")
            #expect(dryStatus["resolve-transient"] == "planned")
            #expect(dryStatus["dlq-depth-after"] == "skipped")
            #expect(Self.step(dryReport, "resolve-transient")?["message"] as? String == "would POST \(sandbox.apiURL)/dlq/resolve-transient")
            // The seed's breakdown: one row per (error_type, entity_type), the biggest first.
            let byType = Self.rows(dryReport, "dlq-by-type")
            #expect(byType.first?["error_type"] as? String == "connection")
            #expect(byType.reduce(0) { $0 + (($1["count"] as? Int) ?? 0) } == transientBefore + manualBefore)
            #expect(try sandbox.psql(transient) == String(transientBefore), "the dry run resolved entries")
            #expect(try sandbox.psql(manual) == String(manualBefore))

            let live = try sandbox.runbook(["run", "scenario-3-dlq-full", "--yes", "--operator", "oncall", "--format", "json"], audit: audit)
            #expect(live.code == 0, "\(live.stdout)\(live.stderr)")
            let liveReport = try Sandbox.report(live)
            let liveStatus = Sandbox.statuses(liveReport)
            #expect(liveStatus["resolve-transient"] == "succeeded")
            // Resolving a transient entry re-queued its file, and the file loaded.
            let answer = Self.step(liveReport, "resolve-transient")?["result"] as? [String: Any]
            #expect((answer?["json"] as? [String: Any])?["requeued"] as? Int == failedFiles, "\(String(describing: answer))")
            #expect(liveStatus["requeued-loaded"] == "green")
            #expect(try sandbox.psql(failedTransient) == "0", "files of resolved transient entries left in error")
            #expect(try sandbox.psql("""
                SELECT count(*) FROM etl_file f WHERE f.status = 'error' AND f.error_type = 'connection'
                   AND NOT EXISTS (SELECT 1 FROM etl_dead_letter_queue u WHERE u.file_id = f.id AND NOT u.resolved)
                """) == "0", "a file in error whose entries were resolved without a load")
            #expect(liveStatus["dlq-depth-after"] != "red", "the DLQ is still over 100")
            #expect(liveStatus["remaining-entries"] == "yellow")
            #expect(liveStatus["alert-cleared"] == "green", "the page (dlq_backlog) did not resolve")
            #expect(try sandbox.psql(transient) == "0", "transient entries left unresolved")
            #expect(try sandbox.psql(manual) == String(manualBefore), "the runbook touched entries that need a person")
            #expect(try sandbox.psql(tooLarge) == String(tooLargeBefore), "a permanent (file too large) entry was resolved as transient")
            // What is left for review is exactly the permanent entries.
            let remaining = Self.step(liveReport, "remaining-entries")?["result"] as? [String: Any]
            let json = remaining?["json"] as? [String: Any]
            #expect(json?["unresolved_total"] as? Int == manualBefore)
            let types = Set(((json?["entries"] as? [[String: Any]]) ?? []).compactMap { $0["error_type"] as? String })
            #expect(!types.isEmpty && types.isSubset(of: ["resource", "validation", "data"]), "\(types)")
            #expect(try sandbox.auditIntact(audit))
        }

        static func step(_ report: [String: Any], _ id: String) -> [String: Any]? {
            (report["steps"] as? [[String: Any]])?.first { $0["id"] as? String == id }
        }

        static func rows(_ report: [String: Any], _ id: String) -> [[String: Any]] {
            ((step(report, id)?["result"] as? [String: Any])?["rows"] as? [[String: Any]]) ?? []
        }
    }
}
