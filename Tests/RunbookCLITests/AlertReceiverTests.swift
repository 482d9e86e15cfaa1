import Foundation
import Synchronization
import Testing

/// Alertmanager's webhook in `runbook serve` (issue 20), over real HTTP (curl) against the
/// built binary, with a ledger of its own in the sandbox's PostgreSQL and the incident channel
/// a file. Each diagnosis is a real `runbook run --dry-run` child process. Waits only detect a
/// hang; nothing is timed.
@Suite("runbook serve: Alertmanager's webhook", .serialized)
final class AlertReceiverTests {
    let sandbox: Sandbox
    let home: URL
    let database: String
    let url: String
    let token = "alert-token-0123456789abcdef"
    let channel: String
    let serverLog: String
    var server: Process?
    var port = 0

    static let probe = """
        runbook: probe
        title: Probe
        severity: P2
        triggers:
          - alert: ProbeAlert
            matchers: {severity: critical}
            inputs: {level: level}
        inputs:
          level: {type: int, default: 1}
        steps:
          - check: probe-level
            shell: [echo, "level=${{ inputs.level }}"]
            thresholds:
              red: inputs.level > 5
          - check: probe-ok
            shell: [echo, fine]
          - action: fix-it
            when: steps.probe-level.status == "red"
            risk: medium
            confirm: "Fix?"
            shell: [echo, fixing]
        """

    init() throws {
        sandbox = try Sandbox.current()
        (database, url) = try sandbox.newDatabase("alerts")
        home = FileManager.default.temporaryDirectory.appendingPathComponent("alerts-\(UUID().uuidString)")
        for d in ["runbooks", "environments"] {
            try FileManager.default.createDirectory(at: home.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(at: CLITests.packageRoot.appendingPathComponent("templates"), to: home.appendingPathComponent("templates"))
        channel = home.appendingPathComponent("incident-channel.log").path
        serverLog = home.appendingPathComponent("serve.log").path
        try write("environments/alerts.yaml", """
            environment: alerts
            ledger: {url: "${ALERTS_DB_URL}"}
            secrets: [ALERTS_DB_URL]
            notify:
              channels:
                incident: {type: file, path: "\(channel)"}
            """)
        try write("runbooks/probe.yaml", Self.probe)
        try write("alert-token", token + "\n")
        let initialized = try runbook(["ledger", "init", "--env", "alerts"])
        #expect(initialized.code == 0, "\(initialized.stderr)")
        let tokenFile = home.appendingPathComponent("tokens").path
        _ = try Sandbox.output([CLITests.binary, "serve", "token", "someone@example.com", "--file", tokenFile])
        try start(["--tokens", tokenFile, "--alerts-token-file", home.appendingPathComponent("alert-token").path,
                   "--console-url", "http://console.example/", "--diagnoses", "2"])
    }

    deinit {
        server?.terminate()
        server?.waitUntilExit()
        _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
        try? FileManager.default.removeItem(at: home)
    }

    func write(_ path: String, _ text: String) throws {
        try text.write(to: home.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    var environment: [String: String] {
        ["ALERTS_DB_URL": url, "SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": "", "NO_COLOR": "1",
         "RUNBOOK_AUDIT_LOG": home.appendingPathComponent("audit.jsonl").path]
    }

    func runbook(_ args: [String]) throws -> CLITests.Output {
        try sandbox.runbook(args, audit: home.appendingPathComponent("audit.jsonl").path, extra: environment, dir: home)
    }

    func ledger(_ sql: String) throws -> String {
        try Sandbox(databaseURL: url, apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir).psql(sql)
    }

    /// Starts `runbook serve --env alerts --listen 127.0.0.1:0`, its log in `serverLog`.
    func start(_ args: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = ["serve", "--env", "alerts", "--listen", "127.0.0.1:0", "--dir", home.path] + args
        process.currentDirectoryURL = home
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        _ = FileManager.default.createFile(atPath: serverLog, contents: nil)
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: serverLog)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        server = process
        var seen = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !seen.contains("\n") {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
        }
        let match = try #require(seen.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)\//), "serve printed: \(seen) \(log)")
        port = Int(match.output.1) ?? 0
    }

    var log: String { (try? String(contentsOfFile: serverLog, encoding: .utf8)) ?? "" }
    var posted: String { (try? String(contentsOfFile: channel, encoding: .utf8)) ?? "" }

    /// An Alertmanager notification (payload version 4) for `alerts` of group `group`.
    static func payload(group: String, status: String = "firing", alerts: [(name: String, fingerprint: String, labels: [String: String], status: String)],
                        version: String = "4") -> String {
        func object(_ pairs: [String: String]) -> String {
            "{" + pairs.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ") + "}"
        }
        let list = alerts.map { alert in
            var labels = alert.labels
            labels["alertname"] = alert.name
            return """
                {"status": "\(alert.status)", "labels": \(object(labels)), "annotations": {"summary": "probe says \(alert.name)"},
                 "startsAt": "2026-12-07T03:00:00.123456789Z", "endsAt": "0001-01-01T00:00:00Z",
                 "generatorURL": "http://prometheus/graph", "fingerprint": "\(alert.fingerprint)"}
                """
        }
        return """
            {"version": "\(version)", "groupKey": "{}:{group=\\"\(group)\\"}", "status": "\(status)", "receiver": "runbook",
             "groupLabels": {"group": "\(group)"}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://alertmanager",
             "truncatedAlerts": 0, "alerts": [\(list.joined(separator: ","))]}
            """
    }

    struct Answer: Sendable {
        var status: Int
        var body: String
    }

    /// POSTs `body` to /api/alerts with curl (`token` nil: no Authorization header).
    func post(_ body: String, token: String? = "default") throws -> Answer {
        try Self.post(body, token: token == "default" ? self.token : token, port: port, folder: home)
    }

    static func post(_ body: String, token: String?, port: Int, folder: URL) throws -> Answer {
        let file = folder.appendingPathComponent("body-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try body.write(toFile: file + ".in", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file + ".in") }
        var args = ["/usr/bin/curl", "-s", "-X", "POST", "-o", file, "-w", "%{http_code}", "-H", "Content-Type: application/json",
                    "--data-binary", "@" + file + ".in"]
        if let token { args += ["-H", "Authorization: Bearer \(token)"] }
        args.append("http://127.0.0.1:\(port)/api/alerts")
        let status = try Sandbox.output(args)
        return Answer(status: Int(status.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0,
                      body: (try? String(contentsOfFile: file, encoding: .utf8)) ?? "")
    }

    /// Waits (up to `seconds`, only to detect a hang) until `condition` holds.
    func eventually(_ seconds: Double = 60, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try condition()
    }

    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test("bad input: wrong token, oversized, malformed, wrong version, an alert for no runbook: a 4xx and a log line, nothing run")
    func badInput() throws {
        try refusesBadInput(port: port) { self.log }
    }

    @Test("bad input at the runner (runbook runner --alerts-token-file, where Alertmanager posts): the same 4xx, log lines, nothing run")
    func badInputAtTheRunner() throws {
        let keys = home.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        try write("environments/team.allowed_signers", try CLITests.allowedSigners(["alice", "runner"], in: keys))
        try write("environments/team.yaml", """
            environment: team
            ledger: {url: "${ALERTS_DB_URL}"}
            identity: {allowed_signers: environments/team.allowed_signers}
            runner: {principal: runner@example.com}
            secrets: [ALERTS_DB_URL]
            notify:
              channels:
                incident: {type: file, path: "\(channel)"}
            """)
        let runnerLog = home.appendingPathComponent("runner.log")
        _ = FileManager.default.createFile(atPath: runnerLog.path, contents: nil)
        let runner = Process()
        runner.executableURL = URL(fileURLWithPath: CLITests.binary)
        runner.arguments = ["runner", "--dir", home.path, "--env", "team", "--listen", "127.0.0.1:0", "--key", keys.appendingPathComponent("runner").path,
                            "--state", home.appendingPathComponent("runner-state").path,
                            "--alerts-token-file", home.appendingPathComponent("alert-token").path]
        runner.currentDirectoryURL = home
        runner.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let handle = try FileHandle(forWritingTo: runnerLog)
        runner.standardOutput = handle
        runner.standardError = handle
        runner.standardInput = FileHandle.nullDevice
        try runner.run()
        defer { runner.killAndReap() }
        func text() -> String { (try? String(contentsOf: runnerLog, encoding: .utf8)) ?? "" }
        #expect(try eventually { text().contains("runner: http://") || !runner.isRunning }, "\(text())")
        #expect(text().contains("Alertmanager's webhook at /api/alerts"), "\(text())")
        let port = try #require(text().firstMatch(of: /runner: http:\/\/127\.0\.0\.1:(\d+)\//).flatMap { Int($0.output.1) }, "\(text())")
        try refusesBadInput(port: port, log: text)
        #expect(runner.isRunning)
    }

    /// Each bad notification to the receiver on `port` is a 4xx with an error, one line in
    /// `log()`, and nothing recorded, opened or run.
    func refusesBadInput(port: Int, log: () -> String) throws {
        func post(_ body: String, token: String? = "default") throws -> Answer {
            try Self.post(body, token: token == "default" ? self.token : token, port: port, folder: home)
        }
        let good = Self.payload(group: "g", alerts: [("ProbeAlert", "aa01", ["severity": "critical"], "firing")])
        let cases: [(String, Answer, String)] = [
            ("no token", try post(good, token: nil), "401"),
            ("wrong token", try post(good, token: token + "x"), "401"),
            ("oversized", try post(good + String(repeating: " ", count: 1 << 20)), "413"),
            ("malformed", try post("{\"version\": \"4\", \"alerts\": ["), "400"),
            ("version 3", try post(Self.payload(group: "g", alerts: [("ProbeAlert", "aa01", ["severity": "critical"], "firing")], version: "3")), "400"),
            ("no runbook", try post(Self.payload(group: "g", alerts: [("ProbeAlert", "aa01", ["severity": "warning"], "firing"),
                                                                       ("Unknown", "aa02", [:], "firing")])), "422"),
        ]
        for (what, answer, code) in cases {
            #expect(String(answer.status) == code, "\(what): \(answer.status) \(answer.body)")
            #expect(answer.body.contains("\"error\""), "\(what): \(answer.body)")
        }
        #expect(try eventually { count("alert webhook refused", in: log()) == cases.count }, "\(log())")
        let text = log()
        #expect(text.contains("refused (401)") && text.contains("refused (413)") && text.contains("refused (400)") && text.contains("refused (422)"))
        #expect(text.contains("no runbook's triggers answer ProbeAlert, Unknown"), "\(text)")
        #expect(!text.contains(token), "the token is never logged")
        // Nothing was run, opened or recorded.
        #expect(try ledger("SELECT count(*) FROM runbook.incidents") == "0")
        #expect(try ledger("SELECT count(*) FROM runbook.alerts") == "0")
        #expect(try ledger("SELECT count(*) FROM runbook.runs") == "0")
        #expect(posted.isEmpty)
    }

    @Test("a firing alert opens one incident and posts its diagnosis; retries change nothing; new inputs re-diagnose; resolved goes to the timeline")
    func alertLife() throws {
        let firing = Self.payload(group: "life", alerts: [("ProbeAlert", "bb01", ["severity": "critical", "level": "9"], "firing")])
        let first = try post(firing)
        #expect(first.status == 202, "\(first.body)")
        #expect(first.body.contains("\"diagnoses\":1"), "\(first.body)")
        #expect(try eventually { posted.contains("Console: http://console.example/runs/") }, "\(posted)\n\(log)")
        let incident = try ledger("SELECT id FROM runbook.incidents")
        #expect(incident.hasPrefix("INC-"), "one incident: \(incident)")
        // The declaration, then the findings: each check's colour, the red one's excerpt, the proposed repair and its exact command.
        #expect(posted.contains("INCIDENT DECLARED"), "\(posted)")
        #expect(posted.contains("🔔 ALERT ProbeAlert firing (critical) · \(incident) · new"), "\(posted)")
        #expect(posted.contains("🔴 probe-level: red · ") && posted.contains("level=9"), "\(posted)")
        #expect(posted.contains("🟢 probe-ok: green"), "\(posted)")
        #expect(posted.contains("→ fix-it"), "\(posted)")
        #expect(posted.contains("Run it: runbook run probe --env alerts --incident \(incident) --input level=9"), "\(posted)")
        // Alertmanager's retry of the same notification: accepted, nothing done again.
        for _ in 0..<3 {
            let retry = try post(firing)
            #expect(retry.status == 202 && retry.body.contains("\"diagnoses\":0"), "\(retry.body)")
        }
        // The same alert with another label value: its inputs changed, so it is diagnosed again, in the same incident.
        let changed = try post(Self.payload(group: "life", alerts: [("ProbeAlert", "bb01", ["severity": "critical", "level": "2"], "firing")]))
        #expect(changed.body.contains("\"diagnoses\":1") && changed.body.contains(incident), "\(changed.body)")
        #expect(try eventually { count("🔔 ALERT ProbeAlert firing", in: posted) == 2 }, "\(posted)")
        #expect(try eventually { posted.contains("inputs changed") && posted.contains("No remediation proposed by the findings.") }, "\(posted)")
        // Resolved: into the channel and the timeline, once; the incident stays open.
        let resolved = Self.payload(group: "life", status: "resolved", alerts: [("ProbeAlert", "bb01", ["severity": "critical", "level": "2"], "resolved")])
        #expect(try post(resolved).body.contains("\"resolved\":1"))
        #expect(try post(resolved).body.contains("\"resolved\":0"))
        #expect(try eventually { posted.contains("✅ ALERT ProbeAlert resolved · \(incident)") }, "\(posted)")
        #expect(try ledger("SELECT count(*) FROM runbook.incidents WHERE resolved_at IS NULL") == "1")
        #expect(try eventually { try ledger("SELECT count(*) FROM runbook.incident_events WHERE kind = 'alert'") == "3" })
        #expect(try ledger("SELECT count(*) FROM runbook.incident_events WHERE kind = 'run'") == "2", "each diagnosis is a run linked to the incident")
        #expect(try ledger("SELECT string_agg(DISTINCT mode, ',') FROM runbook.runs") == "dry-run")
        #expect(count("🔔 ALERT", in: posted) == 2)
    }

    @Test("an alert storm: 100 alerts in 10 groups, each notification sent twice at once: 10 incidents, 100 diagnoses, bounded, none twice")
    func storm() throws {
        var bodies: [String] = []
        for group in 0..<10 {
            let alerts = (0..<10).map { i in ("ProbeAlert", String(format: "c%02d%02d", group, i), ["severity": "critical", "level": String(i)], "firing") }
            bodies.append(Self.payload(group: "storm-\(group)", alerts: alerts))
        }
        let answers = Mutex<[Int]>([])
        let (all, token, port, folder) = (bodies, token, port, home)
        DispatchQueue.concurrentPerform(iterations: all.count * 2) { i in
            let status = (try? Self.post(all[i % all.count], token: token, port: port, folder: folder).status) ?? 0
            answers.withLock { $0.append(status) }
        }
        #expect(answers.withLock { $0 }.allSatisfy { $0 == 202 }, "\(answers.withLock { $0 })")
        #expect(try eventually(300) { count("🔔 ALERT ProbeAlert firing", in: posted) >= 100 }, "\(count("🔔 ALERT", in: posted)) posted\n\(log.suffix(2000))")
        #expect(count("🔔 ALERT ProbeAlert firing", in: posted) == 100)
        #expect(try ledger("SELECT count(*) FROM runbook.incidents") == "10")
        #expect(try ledger("SELECT count(*) FROM runbook.alerts") == "100")
        #expect(try ledger("SELECT count(*) FROM runbook.runs") == "100")
        // Each group's incident got its own ten alerts.
        #expect(try ledger("SELECT count(DISTINCT incident_id) FROM runbook.incident_events WHERE kind = 'alert'") == "10")
        // Never more than --diagnoses 2 at once.
        let running = log.matches(of: /\((\d+) of at most 2 running\)/).compactMap { Int($0.output.1) }
        #expect(running.count == 100)
        #expect(running.max() == 2, "\(running)")
    }
}
