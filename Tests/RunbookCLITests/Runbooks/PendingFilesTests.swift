import Foundation
import Testing

extension SandboxSuites {
    /// pending-files: 8 files stuck in "processing" for 2-5 h. The dry run lists them and
    /// plans the reprocess of the oldest only; each live run reprocesses exactly one file, the
    /// oldest still stuck, and waits for it to load; the eighth run leaves nothing pending and
    /// exits 0.
    @Suite("runbook pending-files")
    struct PendingFilesTests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        let stuckIDs = """
            SELECT string_agg(id::text, ',' ORDER BY processing_started_at, id) FROM etl_file
            WHERE status = 'processing' AND processing_started_at < now() - interval '1 hour'
            """

        @Test func reprocessesOneStuckFilePerRunUntilNoneIsLeft() throws {
            try sandbox.reseed("pending-files")
            let audit = Sandbox.auditPath()
            let stuck = try sandbox.psql(stuckIDs).split(separator: ",").map(String.init)
            #expect(stuck.count == 8)

            let dry = try sandbox.runbook(["run", "pending-files", "--dry-run", "--format", "json"], audit: audit)
            #expect(dry.code == 1, "\(dry.stderr)")
            let dryReport = try Sandbox.report(dry)
            let dryStatus = Sandbox.statuses(dryReport)
            #expect(dryStatus["pending"] == "red")
            #expect(dryStatus["never-claimed"] == "green", "the stuck files are in processing, not uploaded")
            #expect(dryStatus["reprocess-oldest"] == "planned")
            #expect(Self.step(dryReport, "reprocess-oldest")?["message"] as? String == "would POST \(sandbox.apiURL)/files/\(stuck[0])/reprocess")
            #expect(try sandbox.psql(stuckIDs) == stuck.joined(separator: ","), "the dry run changed the files")

            var reprocessed: [String] = []
            var lastCode: Int32 = -1
            for _ in 1...10 {
                let live = try sandbox.runbook(["run", "pending-files", "--yes", "--operator", "oncall", "--format", "json"], audit: audit)
                lastCode = live.code
                let report = try Sandbox.report(live)
                let status = Sandbox.statuses(report)
                guard status["reprocess-oldest"] == "succeeded" else {
                    Issue.record("a run did not reprocess: \(live.stdout)")
                    break
                }
                let url = Self.step(report, "reprocess-oldest")?["command"] as? String ?? ""
                reprocessed.append(String(url.split(separator: "/").dropLast().last ?? ""))
                #expect(status["reprocessed-file"] == "green", "the reprocessed file did not load")
                if live.code == 0 {
                    #expect(status["pending-after"] == "green")
                    break
                }
                #expect(live.code == 1 && status["pending-after"] == "red", "files remain, so the run stays red")
            }
            #expect(lastCode == 0)
            #expect(reprocessed == stuck, "one file per run, oldest first: \(reprocessed)")
            #expect(try sandbox.psql("SELECT count(*) FROM etl_file WHERE id IN (\(stuck.joined(separator: ","))) AND status = 'loaded'") == "8")
            #expect(try sandbox.auditIntact(audit))
        }

        static func step(_ report: [String: Any], _ id: String) -> [String: Any]? {
            (report["steps"] as? [[String: Any]])?.first { $0["id"] as? String == id }
        }
    }
}
