import Foundation
import Testing

extension SandboxSuites {
    /// Log analysis: reads the log files only. A healthy day is green; scenario 2's burst of
    /// connection errors turns the error lines red with `connection` the top pattern;
    /// scenario 4's slowness turns the PROCESSING_TIME average red. Dry and live agree and
    /// nothing changes.
    @Suite("runbook log-analysis")
    struct LogAnalysisTests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        static let checks = ["error-lines", "error-patterns", "processing-time"]

        func analyse(expectCode: Int32) throws -> (report: [String: Any], status: [String: String]) {
            try DiagnosisOnly.dryThenLive(sandbox, "log-analysis", compare: Self.checks, expectCode: expectCode)
        }

        /// The error types of the window section of error-patterns, most frequent first.
        static func windowPatterns(_ stdout: String) -> [(count: Int, type: String)] {
            let window = stdout.components(separatedBy: "== whole errors.log").first ?? ""
            return window.split(separator: "\n").dropFirst().compactMap { line in
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                guard parts.count == 2, let n = Int(parts[0]) else { return nil }
                return (n, String(parts[1]))
            }
        }

        @Test func healthyLogsAreGreen() throws {
            try sandbox.reseed("healthy")
            let (report, status) = try analyse(expectCode: 0)
            for check in Self.checks { #expect(status[check] == "green", "\(check) is \(status[check] ?? "missing")") }
            let errors = DiagnosisOnly.stdout(report, "error-lines")
            #expect((DiagnosisOnly.field(errors, "loaded") ?? 0) > 50, "the 4 h window has the loaded lines: \(errors)")
            #expect((DiagnosisOnly.field(errors, "error_share") ?? 100) < 5)
            let time = DiagnosisOnly.stdout(report, "processing-time")
            let ratio = DiagnosisOnly.field(time, "ratio") ?? 0
            #expect(ratio > 0.7 && ratio < 1.3, "a normal window is near the baseline: \(time)")
            #expect(time.contains("Average: "), "the seed's output line")
        }

        @Test func errorBurstIsRedWithConnectionOnTop() throws {
            try sandbox.reseed("scenario-2-high-error-rate")
            let burst = Int(try sandbox.psql("""
                SELECT count(*) FROM etl_file
                 WHERE status = 'error' AND completed_at > now() - interval '4 hours'
                """)) ?? -1
            let (report, status) = try analyse(expectCode: 1)
            #expect(status["error-lines"] == "red")
            let errors = DiagnosisOnly.stdout(report, "error-lines")
            // One ERROR line per failed file of the window (±1: a file may cross the window's
            // edge between this query and the runbook's).
            #expect(abs(Int(DiagnosisOnly.field(errors, "errors") ?? -100) - burst) <= 1, "\(burst) failed files in the window: \(errors)")
            #expect(burst > 10, "scenario 2 has a burst: \(burst)")
            #expect((DiagnosisOnly.field(errors, "error_share") ?? 0) > 10, "\(errors)")
            #expect(errors.contains(" ERROR worker "), "the last ERROR lines are shown")
            let patterns = Self.windowPatterns(DiagnosisOnly.stdout(report, "error-patterns"))
            #expect(patterns.first?.type == "connection", "\(patterns)")
            #expect(status["error-patterns"] == "green")
            #expect(status["processing-time"] == "green", "the burst is not slowness")
        }

        @Test func slownessTurnsProcessingTimeRed() throws {
            try sandbox.reseed("scenario-4-performance-degradation")
            let (report, status) = try analyse(expectCode: 1)
            #expect(status["processing-time"] == "red")
            let time = DiagnosisOnly.stdout(report, "processing-time")
            #expect((DiagnosisOnly.field(time, "ratio") ?? 0) > 2, "\(time)")
            #expect(status["error-lines"] == "green", "slowness is not errors")
        }
    }
}
