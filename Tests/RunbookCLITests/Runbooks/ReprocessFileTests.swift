import Foundation
import Testing

extension SandboxSuites {
    /// reprocess-file: one named file (input file_id). The dry run shows it stuck and plans
    /// the POST; the live run re-queues it and waits until it loads. An unknown id touches
    /// nothing, and file_id only takes an integer.
    @Suite("runbook reprocess-file")
    struct ReprocessFileTests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        @Test func reprocessesTheFileAndWaitsUntilItLoads() throws {
            try sandbox.reseed("pending-files")
            let audit = Sandbox.auditPath()
            let id = try sandbox.psql("SELECT min(id) FROM etl_file WHERE status = 'processing'")
            let state = "SELECT status || '/' || attempts || '/' || (SELECT count(*) FROM cattle_lot WHERE file_id = \(id)) FROM etl_file WHERE id = \(id)"
            let before = try sandbox.psql(state)
            #expect(before.hasPrefix("processing/"))

            let dry = try sandbox.runbook(["run", "reprocess-file", "--input", "file_id=\(id)", "--dry-run", "--format", "json"], audit: audit)
            #expect(dry.code == 1, "\(dry.stderr)")
            let dryReport = try Sandbox.report(dry)
            let dryStatus = Sandbox.statuses(dryReport)
            #expect(dryStatus["file"] == "red", "a file stuck in processing")
            #expect(dryStatus["reprocess"] == "planned")
            #expect(Self.step(dryReport, "reprocess")?["message"] as? String == "would POST \(sandbox.apiURL)/files/\(id)/reprocess")
            #expect(try sandbox.psql(state) == before, "the dry run changed the file")

            let live = try sandbox.runbook(["run", "reprocess-file", "--input", "file_id=\(id)", "--yes", "--operator", "oncall", "--format", "json"], audit: audit)
            #expect(live.code == 0, "\(live.stdout)\(live.stderr)")
            let liveStatus = Sandbox.statuses(try Sandbox.report(live))
            #expect(liveStatus["reprocess"] == "succeeded")
            #expect(liveStatus["file-after"] == "green")
            let after = try sandbox.psql(state).split(separator: "/")
            #expect(after.first == "loaded")
            #expect((Int(after.last ?? "") ?? 0) > 0, "no cattle_lot rows for the file")
            #expect(try sandbox.auditIntact(audit))
        }

        @Test func anUnknownOrMalformedFileIDChangesNothing() throws {
            let audit = Sandbox.auditPath()
            let queued = "SELECT count(*) FROM etl_file WHERE status IN ('uploaded', 'processing')"
            let before = try sandbox.psql(queued)
            let missing = try sandbox.psql("SELECT coalesce(max(id), 0) + 1000 FROM etl_file")

            let unknown = try sandbox.runbook(["run", "reprocess-file", "--input", "file_id=\(missing)", "--yes", "--format", "json"], audit: audit)
            #expect(unknown.code == 1)
            let status = Sandbox.statuses(try Sandbox.report(unknown))
            #expect(status["file"] == "red")
            #expect(status["reprocess"] == "skipped")

            let hostile = try sandbox.runbook(["run", "reprocess-file", "--input", "file_id=1 OR 1=1", "--yes"], audit: audit)
            #expect(hostile.code == 2, "\(hostile.stdout)\(hostile.stderr)")
            let none = try sandbox.runbook(["run", "reprocess-file", "--yes"], audit: audit)
            #expect(none.code == 2, "file_id is required")
            #expect(try sandbox.psql(queued) == before)
            #expect(try sandbox.auditIntact(audit))
        }

        static func step(_ report: [String: Any], _ id: String) -> [String: Any]? {
            (report["steps"] as? [[String: Any]])?.first { $0["id"] as? String == id }
        }
    }
}
