import Foundation
import Testing

extension SandboxSuites {
    /// Issue 20 end to end with the real binaries: Debian's `prometheus` scrapes the sandbox's
    /// etl-core and evaluates alerts/etl.rules.yaml (its `for:` shortened), Debian's
    /// `prometheus-alertmanager` routes the alert to `runbook serve`'s webhook, and the
    /// diagnosis lands in the incident channel before anyone types. Ports: RUNBOOK_TEST_PROM_PORT
    /// (19190) and RUNBOOK_TEST_AM_PORT (19193). Waits only detect a hang; the time from the fault
    /// to the findings is printed, never asserted.
    @Suite("Prometheus and Alertmanager drive the runbooks", .serialized)
    final class AlertPipelineTests {
        let sandbox: Sandbox
        let work: URL
        let database: String
        let ledgerURL: String
        var processes: [Process] = []
        let environment: [String: String]

        init() throws {
            sandbox = try Sandbox.current()
            (database, ledgerURL) = try sandbox.newDatabase("alertflow")
            work = FileManager.default.temporaryDirectory.appendingPathComponent("alertflow-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            environment = ["ETL_DATABASE_URL": sandbox.databaseURL, "ETL_API_URL": sandbox.apiURL, "ETL_API_TOKEN": sandbox.token,
                           "ETL_LOG_DIR": sandbox.logDir, "RUNBOOK_LEDGER_URL": ledgerURL, "SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": "",
                           "RUNBOOK_AUDIT_LOG": work.appendingPathComponent("audit.jsonl").path, "NO_COLOR": "1"]
        }

        deinit {
            for p in processes where p.isRunning {
                p.terminate()
                p.waitUntilExit()
            }
            _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
            try? FileManager.default.removeItem(at: work)
        }

        static func port(_ name: String, _ fallback: Int) -> Int {
            ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? fallback
        }

        /// Starts `argv` in the background, its output in `log`.
        @discardableResult
        func launch(_ argv: [String], log: String, extra: [String: String] = [:], directory: URL = CLITests.packageRoot) throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: argv[0])
            p.arguments = Array(argv.dropFirst())
            p.currentDirectoryURL = directory
            p.environment = ProcessInfo.processInfo.environment.merging(environment.merging(extra) { $1 }) { $1 }
            let path = work.appendingPathComponent(log).path
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            p.standardOutput = FileHandle(forWritingAtPath: path)
            p.standardError = FileHandle(forWritingAtPath: path)
            p.standardInput = FileHandle.nullDevice
            try p.run()
            processes.append(p)
            return p
        }

        static var promPort: Int { port("RUNBOOK_TEST_PROM_PORT", 19190) }
        static var amPort: Int { port("RUNBOOK_TEST_AM_PORT", 19193) }

        /// Prometheus (the project's rules with `for: 2s` and EtlProcessingSlow's window 5 minutes,
        /// etl-core scraped every second) and
        /// Alertmanager (grouped by alert name, posting to `webhook` with the token in `tokenFile`).
        func startAlerting(webhook: String, tokenFile: String) throws {
            let promPort = Self.promPort, amPort = Self.amPort
            // Short waits: every `for:` 2 s, and EtlProcessingSlow over etl-core's 5-minute window
            // rather than 15 (the alert carries it, so the runbook reads the same window).
            let rules = try String(contentsOf: CLITests.packageRoot.appendingPathComponent("alerts/etl.rules.yaml"), encoding: .utf8)
                .replacing(/(?m)^( *)for: .*$/) { "\($0.output.1)for: 2s" }
                .replacing(#"window_minutes="15""#, with: #"window_minutes="5""#)
            try rules.write(to: work.appendingPathComponent("etl.rules.yaml"), atomically: true, encoding: .utf8)
            let target = sandbox.apiURL.replacingOccurrences(of: "http://", with: "")
            try """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: ["\(work.path)/etl.rules.yaml"]
                alerting: {alertmanagers: [{static_configs: [{targets: ["127.0.0.1:\(amPort)"]}]}]}
                scrape_configs: [{job_name: etl-core, static_configs: [{targets: ["\(target)"]}]}]
                """.write(to: work.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
            try """
                route: {receiver: runbook, group_by: [alertname], group_wait: 1s, group_interval: 5s, repeat_interval: 1h}
                receivers:
                  - name: runbook
                    webhook_configs:
                      - url: \(webhook)
                        send_resolved: true
                        http_config: {authorization: {credentials_file: \(tokenFile)}}
                """.write(to: work.appendingPathComponent("alertmanager.yml"), atomically: true, encoding: .utf8)
            try launch(["/usr/bin/prometheus-alertmanager", "--config.file=\(work.path)/alertmanager.yml", "--storage.path=\(work.path)/am",
                        "--web.listen-address=127.0.0.1:\(amPort)", "--cluster.listen-address="], log: "alertmanager.log")
            try launch(["/usr/bin/prometheus", "--config.file=\(work.path)/prometheus.yml", "--storage.tsdb.path=\(work.path)/prom",
                        "--web.listen-address=127.0.0.1:\(promPort)"], log: "prometheus.log")
        }

        func read(_ log: String) -> String {
            (try? String(contentsOf: work.appendingPathComponent(log), encoding: .utf8)) ?? ""
        }

        func ledger(_ sql: String) throws -> String {
            try Sandbox(databaseURL: ledgerURL, apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir).psql(sql)
        }

        func api(_ method: String, _ path: String, _ body: String) throws -> String {
            try Sandbox.output(["/usr/bin/curl", "-s", "-X", method, "-H", "Authorization: Bearer \(sandbox.token)",
                                "-H", "Content-Type: application/json", "--data-binary", body, sandbox.apiURL + path])
        }

        func eventually(_ seconds: Double, _ condition: () throws -> Bool) throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try condition() { return true }
                Thread.sleep(forTimeInterval: 0.2)
            }
            return try condition()
        }

        @Test("scenario 2: the error rate alert fires, one incident is declared, its diagnosis is posted once")
        func scenario2() throws {
            try sandbox.reseed("scenario-2-high-error-rate")
            defer { _ = try? api("DELETE", "/admin/faults", "") }
            let initialized = try sandbox.runbook(["ledger", "init", "--env", "sandbox"], audit: environment["RUNBOOK_AUDIT_LOG"]!, extra: environment)
            #expect(initialized.code == 0, "\(initialized.stderr)")

            // The receiver: runbook serve with the webhook on, its port printed.
            let token = "alertflow-token-\(UUID().uuidString)"
            try token.write(to: work.appendingPathComponent("alert-token"), atomically: true, encoding: .utf8)
            let tokens = work.appendingPathComponent("tokens").path
            _ = try Sandbox.output([CLITests.binary, "serve", "token", "oncall@example.com", "--file", tokens])
            let receiver = try launch([CLITests.binary, "serve", "--env", "sandbox", "--dir", CLITests.packageRoot.path, "--listen", "127.0.0.1:0",
                                       "--tokens", tokens, "--alerts-token-file", work.appendingPathComponent("alert-token").path,
                                       "--console-url", "http://console.example"], log: "receiver.log")
            #expect(try eventually(60) { read("receiver.log").contains("console: http://127.0.0.1:") }, "\(read("receiver.log"))")
            let receiverPort = try #require(read("receiver.log").firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)\//).flatMap { Int($0.output.1) })
            #expect(receiver.isRunning)

            try startAlerting(webhook: "http://127.0.0.1:\(receiverPort)/api/alerts", tokenFile: work.appendingPathComponent("alert-token").path)

            // The fault: storage refuses every file, and files keep arriving.
            let started = Date()
            _ = try api("POST", "/admin/faults", #"{"connection_error_rate": 1}"#)
            for i in 1...10 {
                _ = try api("POST", "/files", #"{"filename": "alertflow-\#(i).csv", "content": "farm,lot,head_count,weight_kg,price\nf,L\#(i),10,400.5,10000.25\n"}"#)
            }
            let channel = URL(fileURLWithPath: sandbox.logDir).appendingPathComponent("incident-channel.log")
            func posted() -> String { (try? String(contentsOf: channel, encoding: .utf8)) ?? "" }
            let before = posted().count
            func ours() -> String { String(posted().dropFirst(before)) }
            let found = try eventually(180) { ours().contains("🔔 ALERT EtlHighErrorRate firing") && ours().contains("Console: http://console.example/runs/") }
            let elapsed = Date().timeIntervalSince(started)
            #expect(found, "nothing posted\nreceiver: \(read("receiver.log").suffix(3000))\nalertmanager: \(read("alertmanager.log").suffix(2000))\nprometheus: \(read("prometheus.log").suffix(2000))")
            print("alertflow: fault injected to findings posted in \(String(format: "%.1f", elapsed)) s")
            let incident = try ledger("SELECT string_agg(id, ',') FROM runbook.incidents")
            #expect(incident.hasPrefix("INC-") && !incident.contains(","), "one incident: \(incident)")
            let text = ours()
            #expect(text.contains("🔔 ALERT EtlHighErrorRate firing (critical) · \(incident)"), "\(text)")
            #expect(text.contains("🔴 error-rate: red"), "\(text)")
            #expect(text.contains("runbook run scenario-2-high-error-rate --env sandbox --incident \(incident)"), "\(text)")
            #expect(try ledger("SELECT count(*) FROM runbook.alerts WHERE alertname = 'EtlHighErrorRate'") == "1")
            #expect(text.components(separatedBy: "🔔 ALERT EtlHighErrorRate").count - 1 == 1, "posted once: \(text)")
        }
    }
}
