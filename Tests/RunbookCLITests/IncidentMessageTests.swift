import Foundation
import Testing

extension SandboxSuites {
    /// The seed's incident messages, field by field: the declaration's Affected Services come
    /// from the incident, a person's update carries Next Steps and ETA, and level 3 keeps the
    /// team on the incident. A ledger database of the test's own; the incident channel a file.
    @Suite("runbook incident: the seed's message fields")
    struct IncidentMessageTests {
        let sandbox: Sandbox
        let home: URL
        let database: String
        let ledgerURL: String

        init() throws {
            sandbox = try Sandbox.current()
            (database, ledgerURL) = try sandbox.newDatabase("ledger")
            home = FileManager.default.temporaryDirectory.appendingPathComponent("incident-fields-\(UUID().uuidString)")
            let fm = FileManager.default
            try fm.createDirectory(at: home.appendingPathComponent("environments"), withIntermediateDirectories: true)
            for item in ["templates", "escalation.yaml"] {
                try fm.copyItem(at: CLITests.packageRoot.appendingPathComponent(item), to: home.appendingPathComponent(item))
            }
            try """
                environment: team
                ledger: {url: "${RUNBOOK_LEDGER_URL}"}
                secrets: [RUNBOOK_LEDGER_URL]
                notify:
                  log: ops.log
                  channels:
                    incident: {type: file, path: incident.log}
                """.write(to: home.appendingPathComponent("environments/team.yaml"), atomically: true, encoding: .utf8)
        }

        func runbook(_ args: [String]) throws -> CLITests.Output {
            try sandbox.runbook(args + ["--env", "team"], audit: Sandbox.auditPath(),
                                extra: ["RUNBOOK_LEDGER_URL": ledgerURL, "RUNBOOK_OPERATOR": "ana"], dir: home)
        }

        var channel: String { (try? String(contentsOf: home.appendingPathComponent("incident.log"), encoding: .utf8)) ?? "" }

        @Test func declarationUpdateAndLevelThree() throws {
            defer {
                _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
                try? FileManager.default.removeItem(at: home)
            }
            #expect(try runbook(["ledger", "init"]).code == 0)
            let started = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-70 * 60))
            let open = try runbook(["incident", "open", "--title", "Taxa de erro alta", "--severity", "P2", "--started-at", started,
                                    "--affected-services", "Pipeline de lotes, Dashboard de pesagem"])
            #expect(open.code == 0, "\(open.stderr)")
            let id = open.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(channel.contains("Affected Services: Pipeline de lotes, Dashboard de pesagem"), "\(channel)")
            // Seventy minutes in: level 3, and the team that works the incident is still called.
            let escalation = channel.components(separatedBy: "📣 INCIDENT ESCALATED").last ?? ""
            #expect(escalation.contains("level 3"), "\(channel)")
            #expect(escalation.contains("etl-team@conectaboi.com") && escalation.contains("manager@conectaboi.com"), "\(escalation)")

            let update = try runbook(["incident", "update", id, "--status", "Identified", "--message", "Pool de conexões esgotado",
                                      "--next-steps", "Reprocessar os arquivos com erro de conexão", "--eta", "15:30 UTC"])
            #expect(update.code == 0, "\(update.stderr)")
            let posted = channel.components(separatedBy: "📊 INCIDENT UPDATE").last ?? ""
            #expect(posted.contains("Actions Taken: Pool de conexões esgotado"), "\(posted)")
            #expect(posted.contains("Next Steps: Reprocessar os arquivos com erro de conexão"), "\(posted)")
            #expect(posted.contains("ETA: 15:30 UTC"), "\(posted)")

            let bare = try runbook(["incident", "update", id, "--status", "Monitoring", "--message", "Taxa caindo"])
            #expect(bare.code == 0, "\(bare.stderr)")
            let second = channel.components(separatedBy: "📊 INCIDENT UPDATE").last ?? ""
            #expect(second.contains("Next Steps: a definir") && second.contains("ETA: a definir"), "\(second)")
        }
    }
}
