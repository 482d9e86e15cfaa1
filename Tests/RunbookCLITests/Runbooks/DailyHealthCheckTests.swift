import Foundation
import Testing

extension SandboxSuites {
    /// Verificação matinal: one colour per sandbox scenario, the same dry and live, nothing
    /// changed, the day's status appended to the operational log by the live run only.
    @Suite("runbook daily-health-check")
    struct DailyHealthCheckTests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        static let checks = ["api-health", "success-rate", "processing-sla", "log-errors", "dlq-depth", "active-alerts"]

        var operationalLog: String { (sandbox.logDir as NSString).appendingPathComponent("operational.log") }

        func readOperationalLog() -> String { (try? String(contentsOfFile: operationalLog, encoding: .utf8)) ?? "" }

        /// Dry run then live run against the current scenario; both must give `expected` for
        /// every check and the same colours; the database must not change; only the live run
        /// writes the operational log.
        func runBoth(expectCode: Int32) throws -> (dry: [String: Any], live: [String: Any], dryStatus: [String: String], liveStatus: [String: String], audit: String) {
            let audit = Sandbox.auditPath()
            let cutoff = try DiagnosisOnly.cutoff(sandbox)
            let before = try DiagnosisOnly.fingerprint(sandbox, cutoff: cutoff)
            let logBefore = readOperationalLog()

            let dry = try DiagnosisOnly.run(sandbox, "daily-health-check", dryRun: true, audit: audit)
            #expect(dry.output.code == expectCode, "\(dry.output.stdout)\(dry.output.stderr)")
            #expect(dry.status["daily-status"] == "planned")
            #expect(readOperationalLog() == logBefore, "a dry run wrote the operational log")

            let live = try DiagnosisOnly.run(sandbox, "daily-health-check", dryRun: false, audit: audit)
            #expect(live.output.code == expectCode, "\(live.output.stdout)\(live.output.stderr)")
            #expect(live.status["daily-status"] == "succeeded")
            for check in Self.checks {
                #expect(dry.status[check] == live.status[check], "\(check): dry \(dry.status[check] ?? "-") live \(live.status[check] ?? "-")")
            }
            #expect(try DiagnosisOnly.fingerprint(sandbox, cutoff: cutoff) == before, "the runbook changed the database")
            #expect(try sandbox.auditIntact(audit))
            return (dry.report, live.report, dry.status, live.status, audit)
        }

        @Test func healthyDayIsGreenAndRecorded() throws {
            try sandbox.reseed("healthy")
            let r = try runBoth(expectCode: 0)
            for check in Self.checks { #expect(r.dryStatus[check] == "green", "\(check) is \(r.dryStatus[check] ?? "missing")") }
            #expect(r.dry["status"] as? String == "green")
            #expect(r.dryStatus["next-steps"] == "skipped", "a green day has no next steps")
            let rate = DiagnosisOnly.number(DiagnosisOnly.firstRow(r.dry, "success-rate")["success_rate"]) ?? 0
            #expect(rate > 95, "healthy success rate \(rate)")
            let log = readOperationalLog()
            #expect(log.contains("Status: GREEN"), "\(log)")
            #expect(log.contains("Verde: status OK"))
            #expect(log.contains(r.live["run_id"] as? String ?? "?"), "the log entry names the live run")
            #expect(log.components(separatedBy: "(daily-status) ===").count == 2, "exactly one entry (the live run's)")
        }

        /// daily-yellow leaves 3 failures among the ~30 files of the last hour, right at etl-core's
        /// high_error_rate limit (> 10 %): about two minutes after seeding the oldest file leaves
        /// the hour, the critical alert fires and the check turns (rightly) red. The runs below
        /// take seconds.
        @Test func yellowDay() throws {
            try sandbox.reseed("daily-yellow")
            let r = try runBoth(expectCode: 0)
            #expect(r.dry["status"] as? String == "yellow")
            #expect(r.dryStatus["success-rate"] == "yellow")
            let rate = DiagnosisOnly.number(DiagnosisOnly.firstRow(r.dry, "success-rate")["success_rate"]) ?? 0
            #expect(rate >= 90 && rate <= 95, "daily-yellow success rate \(rate)")
            #expect(!r.dryStatus.values.contains("red"), "\(r.dryStatus)")
            #expect(r.dryStatus["api-health"] == "green")
            #expect(r.dryStatus["next-steps"] == "planned")
            let next = DiagnosisOnly.notifyMessage(r.dry, "next-steps")
            #expect(next.contains("scenario-2-high-error-rate"), "\(next)")
            #expect(!next.contains("scenario-1-pipeline-stopped"), "the API is fine: \(next)")
            let log = readOperationalLog()
            #expect(log.contains("Status: YELLOW"), "\(log)")
            #expect(log.contains("Amarelo: monitorar o próximo ciclo"))
            #expect(log.contains("Taxa de sucesso (24 h): YELLOW"))
        }

        @Test func redDay() throws {
            try sandbox.reseed("daily-red")
            let r = try runBoth(expectCode: 1)
            #expect(r.dry["status"] as? String == "red")
            #expect(r.dryStatus["success-rate"] == "red")
            #expect(r.dryStatus["api-health"] == "green")
            let rate = DiagnosisOnly.number(DiagnosisOnly.firstRow(r.dry, "success-rate")["success_rate"]) ?? 100
            #expect(rate < 90, "daily-red success rate \(rate)")
            let log = readOperationalLog()
            #expect(log.contains("Status: RED"), "\(log)")
            #expect(log.contains("Vermelho: executar os procedimentos de correção"))
            #expect(log.contains("Taxa de sucesso (24 h): RED"))
        }

        /// With PostgreSQL stopped the SQL checks cannot run: the run must not pass (exit 4, a
        /// step could not run), /health says red, and the next steps say checks did not run.
        /// It stops the sandbox's PostgreSQL: scripts/test runs it last and alone.
        @Test func databaseDownIsNotGreen() throws {
            try sandbox.reseed("healthy")
            defer { _ = try? sandbox.reseed("healthy") }
            let root = CLITests.packageRoot.path
            #expect(try Sandbox.spawnAndWait(["/bin/bash", "-c", "cd '\(root)' && scripts/sandbox fault db-down >/dev/null 2>&1"]) == 0)
            let audit = Sandbox.auditPath()
            let dry = try DiagnosisOnly.run(sandbox, "daily-health-check", dryRun: true, audit: audit)
            #expect(dry.output.code == 4, "\(dry.output.stdout)\(dry.output.stderr)")
            #expect(dry.status["api-health"] == "red")
            #expect(dry.status["success-rate"] == "error")
            #expect(dry.status["log-errors"] == "green", "the log is still readable")
            let next = DiagnosisOnly.notifyMessage(dry.report, "next-steps")
            #expect(next.contains("Algum check não rodou"), "\(next)")
            #expect(next.contains("scenario-1-pipeline-stopped"))
            #expect(!next.contains("scenario-3-dlq-full"), "an unread DLQ is not a full one: \(next)")
            #expect(try sandbox.auditIntact(audit))
        }

        /// What CI runs: exit 0 and no failure on a healthy sandbox; exit 1 and the red checks
        /// as <failure> on a faulty one.
        @Test func ciDryRunWithJUnit() throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("junit-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let audit = Sandbox.auditPath()

            try sandbox.reseed("healthy")
            let okFile = dir.appendingPathComponent("ok.xml").path
            let ok = try sandbox.runbook(["run", "daily-health-check", "--dry-run", "--junit", okFile], audit: audit)
            #expect(ok.code == 0, "\(ok.stdout)\(ok.stderr)")
            let okXML = try String(contentsOfFile: okFile, encoding: .utf8)
            #expect(okXML.contains("failures=\"0\" errors=\"0\""), "\(okXML)")
            #expect(!okXML.contains("<failure"))
            for check in Self.checks { #expect(okXML.contains("name=\"\(check)\""), "no testcase for \(check)") }

            try sandbox.reseed("daily-red")
            let badFile = dir.appendingPathComponent("bad.xml").path
            let bad = try sandbox.runbook(["run", "daily-health-check", "--dry-run", "--junit", badFile], audit: audit)
            #expect(bad.code == 1, "\(bad.stdout)\(bad.stderr)")
            let badXML = try String(contentsOfFile: badFile, encoding: .utf8)
            let failed = Self.failedTestcases(badXML)
            #expect(failed.contains("success-rate"), "\(badXML)")
            #expect(!failed.contains("api-health"), "the API is healthy: \(failed)")
            #expect(badXML.contains("failures=\"\(failed.count)\""), "the count matches the <failure> elements")
            #expect(try sandbox.auditIntact(audit))
        }

        /// The testcase names that contain a <failure>.
        static func failedTestcases(_ xml: String) -> [String] {
            xml.components(separatedBy: "<testcase ").dropFirst().compactMap { chunk in
                guard let body = chunk.components(separatedBy: "</testcase>").first, body.contains("<failure") else { return nil }
                guard let start = body.range(of: " name=\"") else { return nil }
                return String(body[start.upperBound...].prefix { $0 != "\"" })
            }
        }
    }
}
