import Foundation
import Testing

/// A scenario the alert pipeline answers end to end: the sandbox's seed, the alert it raises,
/// and what the test does (the fault before, the cause gone before the repair).
struct AlertScenario: Sendable, CustomTestStringConvertible {
    let runbook: String
    let alert: String
    /// The sandbox's scenario seeded (the runbook's id unless it names one cause of several).
    var seed: String
    var testDescription: String { seed }

    init(runbook: String, alert: String, seed: String? = nil) {
        self.runbook = runbook
        self.alert = alert
        self.seed = seed ?? runbook
    }

    static let repaired = [
        AlertScenario(runbook: "scenario-2-high-error-rate", alert: "EtlHighErrorRate"),
        AlertScenario(runbook: "scenario-3-dlq-full", alert: "EtlDeadLetterQueueFull"),
        AlertScenario(runbook: "scenario-1-pipeline-stopped", alert: "EtlPipelineStopped"),
        // Cenário 4 with the cause whose repair needs four eyes (pg_terminate_backend, high):
        // the seed's last 2 hours 4x slower page; a session idle in transaction holds the lock
        // the worker's loads wait for.
        AlertScenario(runbook: "scenario-4-performance-degradation", alert: "EtlProcessingSlow", seed: "scenario-4-lock-contention"),
    ]
}

extension SandboxSuites.AlertPipelineTests {
    /// The team of a repair: keys for alice, bob and the runner; the runner's home (the
    /// project's runbooks, an environment with the sandbox's write credentials, this test's
    /// ledger, the approvals policy and the Alertmanager it silences); alice's home (her copy,
    /// naming the runner).
    func makeTeam(runnerURL: String = "${RUNNER_URL}") throws -> (runner: URL, alice: URL, keys: URL) {
        let keys = work.appendingPathComponent("keys"), runnerHome = work.appendingPathComponent("runner-home"),
            aliceHome = work.appendingPathComponent("alice-home")
        let files = FileManager.default
        try files.createDirectory(at: keys, withIntermediateDirectories: true)
        let signers = try CLITests.allowedSigners(["alice", "bob", "runner"], in: keys)
        for home in [runnerHome, aliceHome] {
            try files.createDirectory(at: home.appendingPathComponent("environments"), withIntermediateDirectories: true)
            for folder in ["runbooks", "checks", "templates", "alerts"] {
                try files.copyItem(at: CLITests.packageRoot.appendingPathComponent(folder), to: home.appendingPathComponent(folder))
            }
            try files.copyItem(at: CLITests.packageRoot.appendingPathComponent("escalation.yaml"), to: home.appendingPathComponent("escalation.yaml"))
            try files.createSymbolicLink(at: home.appendingPathComponent("scripts"), withDestinationURL: CLITests.packageRoot.appendingPathComponent("scripts"))
            try signers.write(to: home.appendingPathComponent("environments/alerts.allowed_signers"), atomically: true, encoding: .utf8)
        }
        // The sandbox's own script, by its path (it finds the sandbox from where it lives).
        let sandboxScript = CLITests.packageRoot.appendingPathComponent("scripts/sandbox").path
        let common = """
            database: {url: "${ETL_DATABASE_URL}"}
            api: {url: "${ETL_API_URL}", token: "${ETL_API_TOKEN}"}
            logs: "${ETL_LOG_DIR}"
            config_dir: "${ETL_CONFIG_DIR:-\(CLITests.packageRoot.path)/.sandbox/etc/etl}"
            backup_dir: "${ETL_BACKUP_DIR:-\(CLITests.packageRoot.path)/.sandbox/backup}"
            commands:
              service_status: [\(sandboxScript), status, etl-core]
              service_restart: [\(sandboxScript), restart, etl-core]
              service_stop: [\(sandboxScript), stop, etl-core]
              service_start: [\(sandboxScript), start, etl-core]
            ledger: {url: "${RUNBOOK_LEDGER_URL}"}
            identity: {allowed_signers: environments/alerts.allowed_signers}
            approvals: {high: 1, medium: 0, approvers: [alice@example.com, bob@example.com], expires: 1h}
            notify:
              log: \(work.path)/operational.log
              channels:
                incident: {type: file, path: \(work.path)/channel.log}
                status: {type: stdout}
                reports: {type: file, path: \(work.path)/reports.log}
            secrets: [ETL_API_TOKEN, ETL_DATABASE_URL, RUNBOOK_LEDGER_URL]
            """
        try """
            environment: alerts
            \(common)
            runner: {principal: runner@example.com}
            alertmanager: {url: "http://127.0.0.1:\(Self.amPort)", max_silence: 30m}
            """.write(to: runnerHome.appendingPathComponent("environments/alerts.yaml"), atomically: true, encoding: .utf8)
        try """
            environment: alerts
            \(common)
            runner: {url: "\(runnerURL)", principal: runner@example.com}
            """.write(to: aliceHome.appendingPathComponent("environments/alerts.yaml"), atomically: true, encoding: .utf8)
        return (runnerHome, aliceHome, keys)
    }

    /// `runbook runner` over the team's runner home with Alertmanager's webhook on; its URL.
    func startRunner(home: URL, keys: URL, tokenFile: String) throws -> String {
        let runner = try launch([CLITests.binary, "runner", "--dir", home.path, "--env", "alerts", "--listen", "127.0.0.1:0",
                                 "--key", keys.appendingPathComponent("runner").path, "--state", work.appendingPathComponent("runner-state").path,
                                 "--alerts-token-file", tokenFile, "--console-url", "http://console.example", "--diagnoses", "2"],
                                log: "runner.log", extra: ["RUNBOOK_ALLOWED_SIGNERS": "", "RUNBOOK_AUDIT_LOG": work.appendingPathComponent("runner-audit.jsonl").path],
                                directory: home)
        #expect(try eventually(60) { read("runner.log").contains("runner: http://127.0.0.1:") || !runner.isRunning }, "\(read("runner.log"))")
        return try #require(read("runner.log").firstMatch(of: /runner: (http:\/\/127\.0\.0\.1:\d+)\//).map { String($0.output.1) },
                            "the runner did not start: \(read("runner.log"))")
    }

    /// Alertmanager's silences (API v2), as JSON objects.
    func silences() throws -> [[String: Any]] {
        let text = try Sandbox.output(["/usr/bin/curl", "-s", "http://127.0.0.1:\(Self.amPort)/api/v2/silences"])
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]) ?? []
    }

    static func date(_ text: Any?) -> Date? {
        guard let text = text as? String else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    @Test("the alert fires, the runner diagnoses once, the live repair through it silences the alert while it runs, and the alert resolves",
          arguments: AlertScenario.repaired)
    func repair(_ scenario: AlertScenario) throws {
        try sandbox.reseed(scenario.seed)
        defer { _ = try? api("DELETE", "/admin/faults", "") }
        let (runnerHome, aliceHome, keys) = try makeTeam()
        let initialized = try sandbox.runbook(["ledger", "init", "--env", "alerts"], audit: environment["RUNBOOK_AUDIT_LOG"]!, extra: environment, dir: runnerHome)
        #expect(initialized.code == 0, "\(initialized.stderr)")
        let tokenFile = work.appendingPathComponent("alert-token").path
        try "alertflow-token-\(UUID().uuidString)".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let runnerURL = try startRunner(home: runnerHome, keys: keys, tokenFile: tokenFile)
        if scenario.seed == "scenario-4-lock-contention" {
            // The page comes once the contention has lasted (production's `for: 10m`, here 2 s):
            // past the runbook's lock_wait_seconds (30 s), so the diagnosis names the blocker.
            #expect(try eventually(120) {
                try sandbox.psql("SELECT coalesce(max(extract(epoch FROM now() - query_start)), 0) > 35 FROM pg_stat_activity WHERE wait_event_type = 'Lock'") == "t"
            }, "the worker never waited on the lock")
        }
        try startAlerting(webhook: "\(runnerURL)/api/alerts", tokenFile: tokenFile)

        // The fault (scenario 2: storage refuses every file while files keep arriving; the
        // others' seeds raise their alert by themselves).
        if scenario.runbook == "scenario-2-high-error-rate" {
            _ = try api("POST", "/admin/faults", #"{"connection_error_rate": 1}"#)
            for i in 1...10 {
                _ = try api("POST", "/files", #"{"filename": "repair-\#(i).csv", "content": "farm,lot,head_count,weight_kg,price\nf,L\#(i),10,400.5,10000.25\n"}"#)
            }
        }
        func channel() -> String { read("channel.log") }
        let firing = "🔔 ALERT \(scenario.alert) firing"
        let diagnosed = try eventually(180) { channel().contains(firing) && channel().contains("Console: http://console.example/runs/") }
        #expect(diagnosed, "nothing posted\nrunner: \(read("runner.log").suffix(3000))\nalertmanager: \(read("alertmanager.log").suffix(1500))")
        guard diagnosed else { return }
        // One incident for the alert's group (a seed may raise other alerts, each its own).
        let incident = try ledger("""
            SELECT string_agg(DISTINCT g.incident_id, ',') FROM runbook.alert_groups g JOIN runbook.alerts a USING (group_key)
             WHERE a.alertname = '\(scenario.alert)'
            """)
        #expect(incident.hasPrefix("INC-") && !incident.contains(","), "one incident: \(incident)")
        #expect(channel().components(separatedBy: firing).count - 1 == 1, "posted once: \(channel())")
        // The repair the diagnosis proposes, exactly (its inputs come from the alert's labels).
        let proposed = try #require(channel().components(separatedBy: firing).dropFirst().first?.split(separator: "\n")
            .first { $0.hasPrefix("Run it: runbook run \(scenario.runbook) --env alerts --incident \(incident)") }, "\(channel())")
        let command = Array(proposed.dropFirst("Run it: runbook ".count).split(separator: " ").map(String.init))

        // The cause is gone (the burst is over); the proposed repair runs live through the
        // runner, signed by alice; a four-eyes gate is approved by bob and resumed.
        _ = try api("DELETE", "/admin/faults", "")
        let operatorEnvironment = environment.merging(["RUNNER_URL": runnerURL, "RUNBOOK_ALLOWED_SIGNERS": ""]) { $1 }
        let aliceAudit = work.appendingPathComponent("alice-audit.jsonl").path
        let alice = keys.appendingPathComponent("alice").path
        // Files keep arriving, as in production: the repair's verification waits for one
        // finished after it (scenario 4), and fast ones bring the window's mean down.
        var approvals = 0
        let run = try sandbox.withUploads("alertflow-\(scenario.seed)") {
            var run = try sandbox.runbook(command + ["--yes", "--key", alice],
                                          audit: aliceAudit, extra: operatorEnvironment, dir: aliceHome)
            if run.code == 3, let request = run.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map({ String($0.output) }) {
                let approved = try sandbox.runbook(["approve", request, "--env", "alerts", "--key", keys.appendingPathComponent("bob").path],
                                                   audit: aliceAudit, extra: operatorEnvironment, dir: aliceHome)
                #expect(approved.code == 0, "\(approved.stdout)\(approved.stderr)")
                approvals += 1
                run = try sandbox.runbook(command + ["--yes", "--key", alice, "--resume", request],
                                          audit: aliceAudit, extra: operatorEnvironment, dir: aliceHome)
            }
            return run
        }
        #expect(run.code == 0, "the repair: \(run.stdout)\(run.stderr)\nrunner: \(read("runner.log").suffix(2000))")
        if scenario.seed == "scenario-4-lock-contention" {
            #expect(approvals == 1, "the high-risk repair (terminate-blocker) went through four eyes")
            #expect(run.stdout.contains("terminate-blocker"), "\(run.stdout)")
        }
        #expect(run.stderr.contains("silence: silenced \(scenario.alert) in Alertmanager while run"), "\(run.stderr)")

        // The silence: alice's, naming the run, the alert's labels as exact matchers; it began
        // before the run's first record and was expired after its last.
        let live = try ledger("SELECT run_id || ' ' || extract(epoch FROM started_at)::text || ' ' || extract(epoch FROM ended_at)::text FROM runbook.runs WHERE mode = 'live' AND runbook = '\(scenario.runbook)' ORDER BY started_at DESC LIMIT 1")
            .split(separator: " ").map(String.init)
        try #require(live.count == 3, "the live run in the ledger: \(live)")
        let all = try silences()
        let ours = all.filter { ($0["comment"] as? String)?.contains(live[0]) == true }
        #expect(ours.count == 1, "one silence for the run: \(all)")
        if let silence = ours.first {
            #expect(silence["createdBy"] as? String == "alice@example.com")
            #expect((silence["status"] as? [String: Any])?["state"] as? String == "expired", "expired after the run: \(silence)")
            let matchers = (silence["matchers"] as? [[String: Any]]) ?? []
            #expect(matchers.contains { $0["name"] as? String == "alertname" && $0["value"] as? String == scenario.alert && $0["isRegex"] as? Bool == false })
            let started = try #require(Self.date(silence["startsAt"])), ended = try #require(Self.date(silence["endsAt"]))
            #expect(started.timeIntervalSince1970 <= Double(live[1])!, "the silence began before the run: \(silence) \(live)")
            #expect(ended.timeIntervalSince1970 >= Double(live[2])!, "the silence ended after the run: \(silence) \(live)")
        }
        #expect(try silences().allSatisfy { ($0["status"] as? [String: Any])?["state"] as? String == "expired" }, "none left active")
        // A run stopped at a four-eyes gate ends there (its silence expired); the resumed run
        // silences again while it repairs.
        #expect(try ledger("SELECT string_agg(details->>'action', ',' ORDER BY at) FROM runbook.incident_events WHERE kind = 'silence' AND incident_id = '\(incident)'")
                == Array(repeating: "created,expired", count: approvals + 1).joined(separator: ","))
        #expect(try ledger("SELECT count(*) FROM runbook.records WHERE run_id = '\(live[0])' AND event IN ('alert.silenced', 'alert.unsilenced')") == "2")

        // The alert resolves: Prometheus no longer fires it and Alertmanager holds it no more.
        // The channel says so once: Alertmanager tells the runner when it resolves after the
        // silence expired; when it resolved while silenced (Alertmanager mutes that), the run
        // found it gone when it expired the silence and posted it.
        func alertState() -> String {
            let prometheus = (try? Sandbox.output(["/usr/bin/curl", "-s", "-m", "5", "http://127.0.0.1:\(Self.promPort)/api/v1/alerts"])) ?? "unreachable"
            let alertmanager = (try? Sandbox.output(["/usr/bin/curl", "-s", "-m", "5", "-G", "http://127.0.0.1:\(Self.amPort)/api/v2/alerts",
                                                     "--data-urlencode", "filter=alertname=\"\(scenario.alert)\""])) ?? "unreachable"
            return "Prometheus: \(prometheus)\nAlertmanager: \(alertmanager)"
        }
        let resolved = try eventually(420) {
            let now = alertState()
            return !now.contains("unreachable") && !now.contains("\"alertname\":\"\(scenario.alert)\"")
        }
        #expect(resolved, "not resolved\n\(alertState())\nchannel: \(channel().suffix(1500))\nrunner: \(read("runner.log").suffix(1500))\n\(read("prometheus.log").suffix(1000))")
        let resolvedLine = "✅ ALERT \(scenario.alert) resolved · \(incident)"
        #expect(try eventually(60) { channel().contains(resolvedLine) }, "no resolution posted: \(channel().suffix(1500))\nrunner: \(read("runner.log").suffix(1500))")
        Thread.sleep(forTimeInterval: 6)   // Alertmanager's group_interval (5 s): a second post would be in by now
        #expect(channel().components(separatedBy: resolvedLine).count - 1 == 1, "posted once: \(channel())")
        #expect(try ledger("SELECT string_agg(DISTINCT status, ',') FROM runbook.alerts WHERE alertname = '\(scenario.alert)'") == "resolved")
        let silenced = run.stderr.contains("silence: \(scenario.alert) resolved while silenced")
        #expect(silenced == channel().contains("\(resolvedLine) (while silenced for run"), "\(run.stderr)\n\(channel())")
        print("alertflow: \(scenario.alert) resolution posted \(silenced ? "by the run, found resolved while silenced" : "from Alertmanager's notification")")
        #expect(try ledger("SELECT resolved_at IS NULL FROM runbook.incidents WHERE id = '\(incident)'") == "t")
    }
}
