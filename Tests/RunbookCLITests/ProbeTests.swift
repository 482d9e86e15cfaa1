import Foundation
import Testing

extension SandboxSuites {
    /// `runbook probe`: one probe of etl-core's /health, recorded in the ledger for the minute
    /// of the ledger's clock; down wins within a minute; no ledger is a usage error.
    @Suite("runbook probe")
    struct ProbeTests {
        let sandbox: Sandbox
        let ledger: Sandbox
        let project: URL
        let name = "probe\(UInt32.random(in: 0...UInt32.max))"

        init() throws {
            sandbox = try Sandbox.current()
            ledger = try Sandbox.ledger()
            project = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: project.appendingPathComponent("environments"), withIntermediateDirectories: true)
            try """
                environment: \(name)
                api: {url: "${PROBE_API_URL}"}
                ledger: {url: "${RUNBOOK_LEDGER_URL:-}"}
                secrets: [RUNBOOK_LEDGER_URL]
                """.write(to: project.appendingPathComponent("environments/\(name).yaml"), atomically: true, encoding: .utf8)
        }

        func probe(api: String, extra: [String: String] = [:]) throws -> CLITests.Output {
            try sandbox.runbook(["probe", "--env", name], audit: Sandbox.auditPath(), extra: extra.merging(["PROBE_API_URL": api]) { a, _ in a },
                                dir: project)
        }

        /// The ledger's rows for this test's environment: `minute|up|detail`, oldest first.
        func rows() throws -> [String] {
            try ledger.psql("""
                SELECT to_char(minute AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') || '|' || up || '|' || detail
                  FROM runbook.probes WHERE environment = '\(name)' ORDER BY minute
                """).split(separator: "\n").map(String.init)
        }

        func ledgerMinute() throws -> String {
            try ledger.psql("SELECT to_char(date_trunc('minute', now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI\"Z\"')")
        }

        func cleanUp() {
            _ = try? ledger.psql("DELETE FROM runbook.probes WHERE environment = '\(name)'")
            try? FileManager.default.removeItem(at: project)
        }

        @Test func upAndDownInTheLedgersMinute() throws {
            defer { cleanUp() }
            try sandbox.reseed("healthy")
            let before = try ledgerMinute()
            let up = try probe(api: sandbox.apiURL)
            #expect(up.code == 0, "\(up.stdout)\(up.stderr)")
            #expect(up.stdout.contains(": up (HTTP 200 ok)"), "\(up.stdout)")
            let down = try probe(api: "http://127.0.0.1:1")
            #expect(down.code == 1, "\(down.stdout)\(down.stderr)")
            #expect(down.stdout.contains(": down (no answer:"), "\(down.stdout)")
            let after = try ledgerMinute()
            let recorded = try rows()
            #expect((1...2).contains(recorded.count), "\(recorded)")
            for row in recorded {
                let minute = String(row.prefix { $0 != "|" })
                #expect(minute >= before && minute <= after, "the ledger's clock decides the minute: \(row) not in \(before)...\(after)")
            }
            #expect(recorded.last?.contains("|false|no answer:") == true, "\(recorded)")
            #expect(!up.stdout.contains("postgres://") && !down.stdout.contains("postgres://"))
        }

        /// Two probers in one minute (a timer and the runner, or two replicas): one row, and
        /// down wins whatever the order.
        @Test func downWinsWithinAMinute() throws {
            defer { cleanUp() }
            try sandbox.reseed("healthy")
            var sameMinute = false
            for _ in 0..<3 where !sameMinute {
                _ = try ledger.psql("DELETE FROM runbook.probes WHERE environment = '\(name)'")
                let down = try probe(api: "http://127.0.0.1:1")
                let up = try probe(api: sandbox.apiURL)
                #expect(down.code == 1 && up.code == 0, "\(down.stdout)\(down.stderr)\(up.stdout)\(up.stderr)")
                let recorded = try rows()
                guard recorded.count == 1 else { continue }  // the minute turned between the two
                sameMinute = true
                #expect(recorded[0].contains("|false|no answer:"), "\(recorded)")
                #expect(up.stdout.contains("the minute stays down"), "\(up.stdout)")
            }
            #expect(sameMinute, "three tries, and the minute turned between the probes every time")
        }

        /// etl-core up but its worker stopped: /health answers 503 degraded, which is down.
        @Test func degradedIsDown() throws {
            defer { cleanUp() }
            try sandbox.reseed("worker-stopped")
            let degraded = try probe(api: sandbox.apiURL)
            #expect(degraded.code == 1, "\(degraded.stdout)\(degraded.stderr)")
            #expect(degraded.stdout.contains(": down (HTTP 503 degraded)"), "\(degraded.stdout)")
            #expect(try rows().last?.contains("|false|HTTP 503 degraded") == true)
        }

        @Test func noLedgerIsAUsageError() throws {
            defer { cleanUp() }
            let output = try probe(api: sandbox.apiURL, extra: ["RUNBOOK_LEDGER_URL": ""])
            #expect(output.code == 2, "\(output.stdout)\(output.stderr)")
            #expect(output.stderr.contains("names no ledger"), "\(output.stderr)")
        }
    }
}
