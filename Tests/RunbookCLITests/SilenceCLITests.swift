import Foundation
import Testing

/// Silence while repairing (docs/alerts.md) when Alertmanager cannot be reached: the live run
/// linked to an alerted incident says so, records the failure in the timeline and the audit,
/// and repairs all the same. A ledger of its own in the sandbox's PostgreSQL; Alertmanager's
/// URL a port nothing listens on.
@Suite("Silence while repairing: Alertmanager unreachable", .serialized)
final class SilenceCLITests {
    let sandbox: Sandbox
    let home: URL
    let database: String
    let url: String

    init() throws {
        sandbox = try Sandbox.current()
        (database, url) = try sandbox.newDatabase("silence")
        home = FileManager.default.temporaryDirectory.appendingPathComponent("silence-\(UUID().uuidString)")
        for d in ["runbooks", "environments"] {
            try FileManager.default.createDirectory(at: home.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(at: CLITests.packageRoot.appendingPathComponent("templates"), to: home.appendingPathComponent("templates"))
        try """
            environment: am
            ledger: {url: "${SILENCE_DB_URL}"}
            alertmanager: {url: "http://127.0.0.1:9", max_silence: 5m}
            secrets: [SILENCE_DB_URL]
            notify:
              channels:
                incident: {type: file, path: "\(home.path)/channel.log"}
            """.write(to: home.appendingPathComponent("environments/am.yaml"), atomically: true, encoding: .utf8)
        try """
            runbook: fix
            title: Fix
            steps:
              - check: look
                shell: [echo, red]
              - action: repair
                risk: medium
                confirm: "Repair?"
                shell: [echo, repaired]
            """.write(to: home.appendingPathComponent("runbooks/fix.yaml"), atomically: true, encoding: .utf8)
        let initialized = try runbook(["ledger", "init", "--env", "am"])
        #expect(initialized.code == 0, "\(initialized.stderr)")
    }

    deinit {
        _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
        try? FileManager.default.removeItem(at: home)
    }

    var audit: String { home.appendingPathComponent("audit.jsonl").path }

    func runbook(_ args: [String]) throws -> CLITests.Output {
        try sandbox.runbook(args, audit: audit, extra: ["SILENCE_DB_URL": url, "SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": ""], dir: home)
    }

    func ledger(_ sql: String) throws -> String {
        try Sandbox(databaseURL: url, apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir).psql(sql)
    }

    @Test("Alertmanager unreachable: the repair runs, the failure is said, in the timeline and in the audit")
    func unreachableNeverBlocksARepair() throws {
        let opened = try runbook(["incident", "open", "--env", "am", "--title", "FixAlert fired", "--severity", "P2", "--operator", "alertmanager"])
        #expect(opened.code == 0, "\(opened.stdout)\(opened.stderr)")
        let incident = try ledger("SELECT id FROM runbook.incidents")
        _ = try ledger("""
            INSERT INTO runbook.alert_groups (group_key, environment, incident_id) VALUES ('{}:{alertname="FixAlert"}', 'am', '\(incident)');
            INSERT INTO runbook.alerts (group_key, fingerprint, alertname, runbook, status, inputs_key, starts_at, labels)
            VALUES ('{}:{alertname="FixAlert"}', 'f1', 'FixAlert', 'fix', 'firing', 'fix', '2026-01-01T00:00:00Z',
                    '{"alertname": "FixAlert", "severity": "critical"}'),
                   ('{}:{alertname="FixAlert"}', 'f2', 'FixAlert', 'fix', 'resolved', 'fix', '2026-01-01T00:00:00Z',
                    '{"alertname": "FixAlert", "severity": "warning"}');
            """)
        let run = try runbook(["run", "fix", "--env", "am", "--incident", incident, "--yes", "--operator", "alice"])
        #expect(run.code == 0, "the repair ran: \(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("✔ succeeded          repair"), "\(run.stdout)")
        #expect(run.stderr.contains("silence: could not silence FixAlert (the repair goes on): http://127.0.0.1:9 cannot be reached"), "\(run.stderr)")
        // Only the firing alert was asked for; its failure is in the timeline and the audit.
        #expect(try ledger("SELECT string_agg(details->>'action', ',') FROM runbook.incident_events WHERE kind = 'silence'") == "failed")
        #expect(try ledger("SELECT details->'matchers'->>'severity' FROM runbook.incident_events WHERE kind = 'silence'") == "critical")
        let records = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").filter { $0.contains("\"alert.silenced\"") }
        #expect(records.count == 1, "\(records)")
        #expect(records.first?.contains("\"silence_id\":null") == true && records.first?.contains("cannot be reached") == true, "\(records)")
        #expect(try ledger("SELECT count(*) FROM runbook.records WHERE event = 'alert.silenced'") == "1")
        // A dry run silences nothing.
        let dry = try runbook(["run", "fix", "--env", "am", "--incident", incident, "--dry-run"])
        #expect(dry.code == 0 && !dry.stderr.contains("silence"), "\(dry.stderr)")
    }
}
