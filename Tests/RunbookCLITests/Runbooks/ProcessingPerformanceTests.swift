import Foundation
import Testing

extension SandboxSuites {
    /// Processing performance: green on a healthy history; scenario 4 (4x slower for 2 h)
    /// turns the trend red and the slowest files yellow, and the runbook repairs nothing
    /// (the dropped index stays dropped). Dry and live agree.
    @Suite("runbook processing-performance")
    struct ProcessingPerformanceTests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        static let checks = ["slowest-files", "processing-trend", "db-connections", "log-disk", "etl-core-resources"]

        func diagnose(expectCode: Int32) throws -> (report: [String: Any], status: [String: String]) {
            try DiagnosisOnly.dryThenLive(sandbox, "processing-performance", compare: ["slowest-files", "processing-trend"], expectCode: expectCode)
        }

        /// The colour df says the log folder's filesystem should have (80/90 %).
        func expectedDiskColour() throws -> String {
            let text = try Sandbox.output(["/bin/df", "-P", sandbox.logDir])
            let used = Int(text.split(separator: "\n").last?.split(separator: " ", omittingEmptySubsequences: true)[4].dropLast() ?? "") ?? -1
            return used >= 90 ? "red" : (used >= 80 ? "yellow" : "green")
        }

        /// Our sandbox's etl-core pid, from its pid file.
        var etlCorePid: String {
            let file = CLITests.packageRoot.appendingPathComponent(".sandbox/etl-core.pid").path
            return ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }

        @Test func healthyIsGreen() throws {
            try sandbox.reseed("healthy")
            let (report, status) = try diagnose(expectCode: 0)
            #expect(status["slowest-files"] == "green")
            #expect(status["processing-trend"] == "green")
            #expect(status["db-connections"] == "green")
            #expect(status["etl-core-resources"] != "red")
            #expect(status["log-disk"] == (try expectedDiskColour()))
            let slowest = DiagnosisOnly.firstRow(report, "slowest-files")
            #expect((DiagnosisOnly.number(slowest["duration_minutes"]) ?? 99) < 2, "healthy files take 20-90 s: \(slowest)")
            let trend = DiagnosisOnly.firstRow(report, "processing-trend")
            let ratio = DiagnosisOnly.number(trend["ratio"]) ?? 0
            #expect(ratio > 0.7 && ratio < 1.3, "\(trend)")
            let states = (DiagnosisOnly.result(report, "db-connections")["rows"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String }
            #expect(states.contains("active"), "this check's own session is active: \(states)")
            let resources = DiagnosisOnly.stdout(report, "etl-core-resources")
            #expect(!etlCorePid.isEmpty && resources.contains("\"pid\": \(etlCorePid),"), "our etl-core is listed: \(resources)")
            #expect(!resources.contains("bash -c"), "the check does not count its own shell: \(resources)")
            #expect(DiagnosisOnly.stdout(report, "log-disk").contains("\"used_percent\": "))
        }

        @Test func slownessIsDiagnosedNotRepaired() throws {
            try sandbox.reseed("scenario-4-performance-degradation")
            let (report, status) = try diagnose(expectCode: 1)
            #expect(status["processing-trend"] == "red")
            #expect(status["slowest-files"] == "yellow")
            let trend = DiagnosisOnly.firstRow(report, "processing-trend")
            #expect((DiagnosisOnly.number(trend["ratio"]) ?? 0) > 2, "\(trend)")
            let slowest = DiagnosisOnly.firstRow(report, "slowest-files")
            let duration = DiagnosisOnly.number(slowest["duration_minutes"]) ?? 0
            let baseline = DiagnosisOnly.number(slowest["baseline_p95_minutes"]) ?? 99
            #expect(duration > 2 * baseline && duration < 120, "\(slowest)")
            #expect(try sandbox.psql("SELECT count(*) FROM pg_indexes WHERE indexname = 'etl_file_status_updated_at_idx'") == "0",
                    "a diagnosis-only runbook does not create the index")
        }
    }
}
