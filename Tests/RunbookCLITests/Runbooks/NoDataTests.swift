import Foundation
import Testing

extension SandboxSuites {
    /// No data is not good news. Every check that judges a window, an aggregate, a log or an
    /// API answer is run where that input is empty or missing, and must give the colour an
    /// on-call engineer wants (yellow or red, with the reason in its output), never a silent
    /// green. One row per check; each situation runs the runbooks once (dry run: nothing
    /// changes) and compares every row.
    @Suite("no data is not good news")
    struct NoDataTests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        /// Where the runbooks read the log files from.
        enum Logs: String, Sendable { case seeded, empty, missing }

        /// One row of the table: in `runbook`, step `step` must be `colour`.
        struct Row: Sendable {
            var runbook: String, step: String, colour: String
            init(_ runbook: String, _ step: String, _ colour: String) {
                self.runbook = runbook
                self.step = step
                self.colour = colour
            }
        }

        struct Situation: Sendable, CustomTestStringConvertible {
            var name: String
            var scenario: String
            var logs: Logs
            var rows: [Row]
            var testDescription: String { name }
        }

        static let situations: [Situation] = [
            Situation(name: "empty database, empty log files", scenario: "empty", logs: .empty, rows: [
                Row("daily-health-check", "success-rate", "yellow"),
                Row("daily-health-check", "processing-sla", "yellow"),
                Row("daily-health-check", "log-errors", "yellow"),
                Row("daily-health-check", "dlq-depth", "green"),        // an empty DLQ is good news
                Row("daily-health-check", "active-alerts", "green"),    // so is no active alert
                Row("scenario-2-high-error-rate", "error-rate", "yellow"),
                Row("scenario-2-high-error-rate", "error-log", "yellow"),
                Row("scenario-4-performance-degradation", "processing-time", "yellow"),
                Row("scenario-4-performance-degradation", "slow-log", "yellow"),
                Row("processing-performance", "slowest-files", "yellow"),
                Row("processing-performance", "processing-trend", "yellow"),
                Row("log-analysis", "error-lines", "yellow"),
                Row("log-analysis", "processing-time", "yellow"),
                Row("sla-report", "sla-success", "yellow"),
                Row("sla-report", "sla-processing", "yellow"),
                Row("sla-report", "sla-availability", "yellow"),
                Row("weekly-maintenance", "weekly-performance", "yellow"),
                Row("monthly-maintenance", "alert-review-log", "yellow"),
                Row("scenario-1-pipeline-stopped", "recent-log-errors", "yellow"),
            ]),
            Situation(name: "log folder missing", scenario: "empty", logs: .missing, rows: [
                Row("daily-health-check", "log-errors", "red"),
                Row("scenario-2-high-error-rate", "error-log", "yellow"),
                Row("scenario-4-performance-degradation", "slow-log", "yellow"),
                Row("log-analysis", "error-lines", "red"),
                Row("log-analysis", "processing-time", "red"),
                Row("processing-performance", "log-disk", "red"),
                Row("monthly-maintenance", "alert-review-log", "red"),
                Row("scenario-1-pipeline-stopped", "recent-log-errors", "yellow"),
            ]),
            // The issue's example: the pipeline stopped yesterday. The windows are empty, the
            // aggregates NULL; the current log only has etl-core's own start-up lines.
            Situation(name: "nothing since yesterday", scenario: "silent-day", logs: .seeded, rows: [
                Row("daily-health-check", "success-rate", "yellow"),
                Row("daily-health-check", "processing-sla", "yellow"),
                Row("daily-health-check", "log-errors", "yellow"),
                Row("scenario-2-high-error-rate", "error-rate", "yellow"),
                Row("processing-performance", "slowest-files", "yellow"),
                Row("processing-performance", "processing-trend", "yellow"),
                Row("log-analysis", "processing-time", "yellow"),
                Row("sla-report", "sla-success", "yellow"),
                Row("sla-report", "sla-processing", "yellow"),
            ]),
        ]

        @Test(arguments: situations)
        func noSilentGreen(_ situation: Situation) throws {
            try sandbox.reseed(situation.scenario)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nodata-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            var env: [String: String] = [:]
            switch situation.logs {
            case .seeded: break
            case .missing: env["ETL_LOG_DIR"] = folder.appendingPathComponent("missing").path
            case .empty:
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for name in ["etl-service.log", "errors.log", "metrics.log", "audit.log"] {
                    _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data())
                }
                env["ETL_LOG_DIR"] = folder.path
            }
            let audit = Sandbox.auditPath()
            var runbooks: [String] = []
            for row in situation.rows where !runbooks.contains(row.runbook) { runbooks.append(row.runbook) }
            for runbook in runbooks {
                let run = try DiagnosisOnly.run(sandbox, runbook, dryRun: true, audit: audit, env: env)
                for row in situation.rows where row.runbook == runbook {
                    #expect(run.status[row.step] == row.colour,
                            "\(situation.name): \(runbook) \(row.step) is \(run.status[row.step] ?? "missing"), want \(row.colour): \(Self.output(run.report, row.step))")
                }
            }
        }

        /// What a step printed or returned, for the failure message.
        static func output(_ report: [String: Any], _ id: String) -> String {
            let result = DiagnosisOnly.result(report, id)
            if let rows = result["rows"] { return "\(rows)" }
            if let json = result["json"], !(json is NSNull) { return "\(json)" }
            return (result["stdout"] as? String ?? "") + (result["stderr"] as? String ?? "")
        }

        /// An API that answers, 200 and well-formed JSON, but an empty or bare list: not green.
        @Test(arguments: [
            ("bare list", #"[]"#, #"[]"#, ["api-health": "red", "review-queue": "red"]),
            ("empty list, no total", #"{"status": "ok"}"#, #"{"entries": []}"#, ["api-health": "green", "review-queue": "red"]),
            ("empty list while the database counts 5", #"{"status": "ok"}"#, #"{"entries": [], "count": 0, "unresolved_total": 0}"#,
             ["api-health": "green", "review-queue": "yellow"]),
        ])
        func emptyAPIAnswers(_ name: String, health: String, dlq: String, expected: [String: String]) throws {
            let stub = try StubAPI(routes: ["/health": health, "/dlq": dlq])
            defer { stub.stop() }
            let home = try ProbeHome(runbook: """
                runbook: probe-api
                title: Probe of the API checks
                severity: P4
                owner: etl-team
                steps:
                  - check: api-health
                    use: api-health
                  - check: review-queue
                    use: dlq-review-queue
                    with: {db_unresolved: 5}
                """)
            defer { home.remove() }
            let audit = Sandbox.auditPath()
            let output = try sandbox.runbook(["run", "probe-api", "--dry-run", "--format", "json"], audit: audit,
                                             extra: ["ETL_API_URL": stub.url], dir: home.url)
            let status = Sandbox.statuses(try Sandbox.report(output))
            for (step, colour) in expected {
                #expect(status[step] == colour, "\(name): \(step) is \(status[step] ?? "missing"), want \(colour): \(output.stdout)\(output.stderr)")
            }
        }
    }
}

/// A folder laid out like the project (its checks, environments and templates) with one
/// runbook of the test's own, so a reusable check can be run on its own.
struct ProbeHome {
    let url: URL

    init(runbook: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: url.appendingPathComponent("runbooks"), withIntermediateDirectories: true)
        for name in ["checks", "environments", "templates"] {
            try fm.createSymbolicLink(at: url.appendingPathComponent(name), withDestinationURL: CLITests.packageRoot.appendingPathComponent(name))
        }
        let id = runbook.split(separator: "\n").first.map { String($0.dropFirst("runbook: ".count)) } ?? "probe"
        try runbook.write(to: url.appendingPathComponent("runbooks/\(id).yaml"), atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A fixed-answer HTTP server (python3's http.server on a free loopback port): each path,
/// whatever its query, answers 200 with its JSON body.
final class StubAPI {
    let process: Process
    let url: String

    init(routes: [String: String]) throws {
        let routesJSON = String(decoding: try JSONSerialization.data(withJSONObject: routes), as: UTF8.self)
        let script = """
            import http.server, json, sys
            routes = json.loads(sys.argv[1])
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = routes.get(self.path.split('?')[0])
                    self.send_response(200 if body is not None else 404)
                    self.send_header('Content-Type', 'application/json')
                    self.end_headers()
                    self.wfile.write((body or '{"error": "not found"}').encode())
                def log_message(self, *args): pass
            s = http.server.HTTPServer(('127.0.0.1', 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        child.arguments = ["python3", "-c", script, routesJSON]
        let out = Pipe()
        child.standardOutput = out
        child.standardError = FileHandle.nullDevice
        try child.run()
        self.process = child
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(child.processIdentifier, SIGKILL)
            throw Sandbox.PSQLFailed(message: "the stub API did not start")
        }
        url = "http://127.0.0.1:\(port)"
    }

    func stop() { process.killAndReap() }
}
