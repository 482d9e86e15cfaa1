import Foundation
import Testing

extension SandboxSuites {
    /// The incident's life through the built binary, against the sandbox (scenario 2), a ledger
    /// database of the test's own, and a real HTTP receiver standing in for the team's channels:
    /// `incident` and `escalation` are signed webhooks to it. Time passes by moving the
    /// incident's timestamps back in the test's ledger (no sleeping, no dependence on the date).
    @Suite("runbook incident: open, run, update, escalate, remind, resolve, post-mortem")
    struct IncidentLifeTests {
        static let secret = "hook-Secret-INC-4242"
        let sandbox: Sandbox
        let home: URL
        let database: String
        let ledgerURL: String

        init() throws {
            sandbox = try Sandbox.current()
            (database, ledgerURL) = try sandbox.newDatabase("ledger")
            home = FileManager.default.temporaryDirectory.appendingPathComponent("incident-\(UUID().uuidString)")
            let fm = FileManager.default
            try fm.createDirectory(at: home.appendingPathComponent("environments"), withIntermediateDirectories: true)
            for item in ["runbooks", "checks", "templates", "escalation.yaml"] {
                try fm.copyItem(at: CLITests.packageRoot.appendingPathComponent(item), to: home.appendingPathComponent(item))
            }
            let sandboxScript = CLITests.packageRoot.appendingPathComponent("scripts/sandbox").path
            try """
                environment: team
                database: {url: "${ETL_DATABASE_URL}"}
                api: {url: "${ETL_API_URL}", token: "${ETL_API_TOKEN}"}
                logs: "${ETL_LOG_DIR}"
                commands:
                  service_status: [\(sandboxScript), status, etl-core]
                  service_restart: [\(sandboxScript), restart, etl-core]
                ledger: {url: "${RUNBOOK_LEDGER_URL}"}
                secrets: [ETL_API_TOKEN, ETL_DATABASE_URL, RUNBOOK_LEDGER_URL, HOOK_URL]
                notify:
                  log: ops.log
                  channels:
                    incident: {type: webhook, url: "${HOOK_URL}/incident", secret: "${HOOK_SECRET}"}
                    escalation: {type: webhook, url: "${HOOK_URL}/escalation", secret: "${HOOK_SECRET}"}
                """.write(to: home.appendingPathComponent("environments/team.yaml"), atomically: true, encoding: .utf8)
        }

        func cleanUp() {
            _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
            try? FileManager.default.removeItem(at: home)
        }

        /// Runs the binary off Swift's cooperative threads (the receiver answers on them).
        func runbook(_ args: [String], hook: String, audit: String) async throws -> CLITests.Output {
            let extra = ["RUNBOOK_LEDGER_URL": ledgerURL, "HOOK_URL": hook, "HOOK_SECRET": Self.secret, "RUNBOOK_OPERATOR": "ana"]
            let sandbox = self.sandbox, home = self.home
            return try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(with: Result { try sandbox.runbook(args + ["--env", "team"], audit: audit, extra: extra, dir: home) })
                }
            }
        }

        @discardableResult
        func ledgerSQL(_ sql: String) throws -> String {
            try Sandbox(databaseURL: ledgerURL, apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir).psql(sql)
        }

        /// The `message` of each webhook delivery to `/name`.
        static func messages(_ receiver: TestNotifyReceiver, _ name: String) async -> [String] {
            await receiver.received(name).compactMap { ($0.json as? [String: Any])?["message"] as? String }
        }

        static func utc(_ date: Date) -> String {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime]
            return f.string(from: date)
        }

        @Test func theIncidentsLife() async throws {
            defer { cleanUp() }
            let audit = Sandbox.auditPath()
            let receiver = TestNotifyReceiver()
            try await receiver.with { hook in
                #expect(try await runbook(["ledger", "init"], hook: hook, audit: audit).code == 0)
                // Declared 35 minutes after it began: the declaration, and level 2 called at once.
                let start = Date().addingTimeInterval(-35 * 60)
                let open = try await runbook(["incident", "open", "--title", "Taxa de erro alta no processamento", "--severity", "P2",
                                              "--started-at", Self.utc(start), "--impact", "Lotes de gado não carregam"], hook: hook, audit: audit)
                #expect(open.code == 0, "\(open.stderr)")
                let day = String(Self.utc(start).prefix(10)).replacingOccurrences(of: "-", with: "")
                let id = open.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(id == "INC-\(day)-1", "\(open.stdout)")
                var incident = await Self.messages(receiver, "incident")
                #expect(incident.count == 2, "\(incident)")
                #expect(incident.first?.contains("🚨 INCIDENT DECLARED: ETL Pipeline Issue — \(id)") == true)
                #expect(incident.first?.contains("Severity: P2") == true)
                #expect(incident.first?.contains("Impact: Lotes de gado não carregam") == true)
                #expect(incident.first?.contains("Incident Channel: #incident-etl-\(day)") == true)
                #expect(incident.last?.contains("📣 INCIDENT ESCALATED: \(id) — level 2") == true)
                var escalation = await Self.messages(receiver, "escalation")
                #expect(escalation.count == 1 && escalation[0].contains("Tech Lead + DevOps — etl-team@conectaboi.com, devops@conectaboi.com"), "\(escalation)")

                // Scenario 2, linked: the dry run posts nothing and is in the timeline; the live
                // run (no --incident: the environment's one open incident) posts its update into it.
                try sandbox.reseed("scenario-2-high-error-rate")
                let dry = try await runbook(["run", "scenario-2-high-error-rate", "--dry-run", "--incident", id], hook: hook, audit: audit)
                #expect(dry.code == 1, "\(dry.stdout)\(dry.stderr)")
                #expect(dry.stdout.contains("incident: \(id)"))
                #expect(await Self.messages(receiver, "incident").count == 2, "a dry run posted")
                let live = try await runbook(["run", "scenario-2-high-error-rate", "--yes", "--format", "json"], hook: hook, audit: audit)
                #expect(live.code == 0, "\(live.stdout)\(live.stderr)")
                #expect(Sandbox.statuses(try Sandbox.report(live))["reprocess-transient-failures"] == "succeeded")
                incident = await Self.messages(receiver, "incident")
                #expect(incident.count == 3, "\(incident)")
                let update = incident.last ?? ""
                #expect(update.contains("📊 INCIDENT UPDATE: ETL Pipeline Issue — \(id)"), "\(update)")
                #expect(update.contains("Reprocessar falhas de conexão: succeeded"), "\(update)")
                #expect(update.contains("Escalation: level 2 at 3"), "the level counts from the incident's start: \(update)")
                #expect(await Self.messages(receiver, "escalation").count == 1, "level 2 was called twice")
                let liveStatus = try Sandbox.report(live)["status"] as? String ?? ""
                #expect(try ledgerSQL("SELECT string_agg(details->>'mode' || ':' || (details->>'status'), ',' ORDER BY id) FROM runbook.incident_events WHERE kind = 'run'")
                    == "dry-run:red,live:\(liveStatus)")

                // A person's update.
                let said = try await runbook(["incident", "update", id, "--status", "Identified", "--message", "Pool de conexões esgotado; arquivos reprocessados"],
                                             hook: hook, audit: audit)
                #expect(said.code == 0, "\(said.stderr)")
                incident = await Self.messages(receiver, "incident")
                #expect(incident.last?.contains("Status: Identified") == true && incident.last?.contains("Actions Taken: Pool de conexões esgotado") == true,
                        "\(incident.last ?? "")")

                // Nothing is due yet.
                let early = try await runbook(["incident", "remind"], hook: hook, audit: audit)
                #expect(early.code == 0 && early.stdout.contains("nothing due"), "\(early.stdout)\(early.stderr)")
                #expect(await Self.messages(receiver, "incident").count == 4)

                // 31 minutes pass without an update: the incident is 66 minutes old. Two reminders
                // at once post one reminder and one level-3 escalation; a third posts nothing.
                try ledgerSQL("UPDATE runbook.incidents SET started_at = started_at - interval '31 minutes', last_update_at = last_update_at - interval '31 minutes'")
                async let a = runbook(["incident", "remind", "--operator", "timer-a"], hook: hook, audit: Sandbox.auditPath())
                async let b = runbook(["incident", "remind", "--operator", "timer-b"], hook: hook, audit: Sandbox.auditPath())
                let (ra, rb) = try await (a, b)
                #expect(ra.code == 0 && rb.code == 0, "\(ra.stderr)\(rb.stderr)")
                incident = await Self.messages(receiver, "incident")
                escalation = await Self.messages(receiver, "escalation")
                #expect(incident.count == 6, "\(incident.dropFirst(4))")
                #expect(incident.filter { $0.contains("⏰ INCIDENT UPDATE DUE: \(id)") }.count == 1)
                #expect(incident.filter { $0.contains("📣 INCIDENT ESCALATED: \(id) — level 3") }.count == 1)
                #expect(escalation.count == 2 && escalation[1].contains("Gerência + C-Level"), "\(escalation)")
                let reminder = incident.first { $0.contains("⏰") } ?? ""
                #expect(reminder.contains("Automatic status update"), "\(reminder)")
                #expect(reminder.contains("scenario-2-high-error-rate was \(liveStatus.uppercased()) at"), "the automatic status is the last run's: \(reminder)")
                #expect(reminder.contains("Reprocessar falhas de conexão: succeeded"), "\(reminder)")
                let again = try await runbook(["incident", "remind"], hook: hook, audit: audit)
                #expect(again.stdout.contains("nothing due"), "\(again.stdout)")
                #expect(await Self.messages(receiver, "incident").count == 6)

                // Resolved 65 minutes after it began.
                let started = try ledgerSQL("SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM runbook.incidents WHERE id = '\(id)'")
                let resolvedAt = Self.utc(ISO8601DateFormatter().date(from: started)!.addingTimeInterval(65 * 60))
                let resolve = try await runbook(["incident", "resolve", id, "--root-cause", "Pool de conexões esgotado", "--resolution", "Reprocessamento",
                                                 "--prevention", "Alerta de pool", "--resolved-at", resolvedAt], hook: hook, audit: audit)
                #expect(resolve.code == 0, "\(resolve.stderr)")
                #expect(resolve.stdout.contains("\(id) resolved after 1 hour 5 minutes"), "\(resolve.stdout)")
                let resolution = await Self.messages(receiver, "incident").last ?? ""
                #expect(resolution.contains("✅ INCIDENT RESOLVED: ETL Pipeline Issue — \(id)"))
                #expect(resolution.contains("Total Duration: 1 hour 5 minutes"), "\(resolution)")
                #expect(resolution.contains("Root Cause: Pool de conexões esgotado"))

                // The post-mortem reminder, 24 h after the resolution, once.
                #expect(try await runbook(["incident", "remind"], hook: hook, audit: audit).stdout.contains("nothing due"))
                try ledgerSQL("""
                    UPDATE runbook.incidents SET started_at = started_at - interval '24 hours', resolved_at = resolved_at - interval '24 hours',
                           last_update_at = last_update_at - interval '24 hours'
                    """)
                let pm = try await runbook(["incident", "remind"], hook: hook, audit: audit)
                #expect(pm.code == 0, "\(pm.stderr)")
                #expect(try await runbook(["incident", "remind"], hook: hook, audit: audit).stdout.contains("nothing due"))
                incident = await Self.messages(receiver, "incident")
                #expect(incident.filter { $0.contains("📝 POST-MORTEM DUE: \(id)") }.count == 1, "\(incident.last ?? "")")
                #expect(incident.count == 8)

                // The timeline, and no secret anywhere.
                let show = try await runbook(["incident", "show", id], hook: hook, audit: audit)
                #expect(show.code == 0)
                let kinds = show.stdout.split(separator: "\n").compactMap { line in
                    ["declared", "run", "update", "escalation", "reminder", "resolved", "postmortem"].first { line.contains("  \($0) ") }
                }
                #expect(Set(kinds) == ["declared", "run", "update", "escalation", "reminder", "resolved", "postmortem"], "\(show.stdout)")
                #expect(kinds.filter { $0 == "run" }.count == 2 && kinds.filter { $0 == "escalation" }.count == 2)
                for out in [open, dry, live, said, ra, rb, resolve, pm, show] {
                    #expect(!(out.stdout + out.stderr).contains(Self.secret) && !(out.stdout + out.stderr).contains(hook))
                }
                let list = try await runbook(["incident", "list"], hook: hook, audit: audit)
                #expect(list.stdout.contains("no open incidents"))
                #expect(try await runbook(["incident", "list", "--all"], hook: hook, audit: audit).stdout.contains("\(id)  P2"))
            }
        }

        @Test func concurrentOpensGetOneNumberEachAndBadInputIsExit2() async throws {
            defer { cleanUp() }
            let audit = Sandbox.auditPath()
            // A hook that refuses everything: the incident is stored, delivery fails, exit 4.
            let receiver = TestNotifyReceiver(script: ["incident": [.init(status: .badRequest, body: "no")], "escalation": [.init(status: .badRequest)]])
            try await receiver.with { hook in
                #expect(try await runbook(["ledger", "init"], hook: hook, audit: audit).code == 0)
                let start = Self.utc(Date().addingTimeInterval(-60))
                async let a = runbook(["incident", "open", "--title", "A", "--severity", "P3", "--started-at", start], hook: hook, audit: audit)
                async let b = runbook(["incident", "open", "--title", "B", "--severity", "P3", "--started-at", start], hook: hook, audit: audit)
                async let c = runbook(["incident", "open", "--title", "C", "--severity", "P3", "--started-at", start], hook: hook, audit: audit)
                let outs = try await [a, b, c]
                let ids = Set(outs.map { $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) })
                let day = String(start.prefix(10)).replacingOccurrences(of: "-", with: "")
                #expect(ids == ["INC-\(day)-1", "INC-\(day)-2", "INC-\(day)-3"], "\(outs)")
                #expect(outs.allSatisfy { $0.code == 4 && $0.stderr.contains("declared not delivered") }, "\(outs.map(\.stderr))")
                #expect(outs.allSatisfy { !$0.stderr.contains(hook) && !$0.stderr.contains(Self.secret) })
                #expect(try ledgerSQL("SELECT count(*) FROM runbook.incidents") == "3")

                // A dry run links to no incident unless told (and with several open, neither
                // would a live one: it says so).
                let run = try await runbook(["run", "scenario-2-high-error-rate", "--dry-run"], hook: hook, audit: audit)
                #expect(!run.stderr.contains("incident"), "\(run.stderr)")
                #expect(try ledgerSQL("SELECT count(*) FROM runbook.incident_events WHERE kind = 'run'") == "0")

                for bad in [["incident", "open", "--title", "X", "--severity", "P9"],
                            ["incident", "open", "--title", "X", "--severity", "P2", "--started-at", "tomorrow"],
                            ["incident", "update", "INC-19990101-1", "--status", "Identified", "--message", "m"],
                            ["incident", "update", "INC-\(day)-1", "--status", "Sleeping", "--message", "m"],
                            ["incident", "show", "INC-19990101-1"],
                            ["run", "scenario-2-high-error-rate", "--dry-run", "--incident", "INC-19990101-1"],
                            ["run", "scenario-2-high-error-rate", "--dry-run", "--incident", "INC-\(day)-1", "--incident-age", "45m"]] {
                    let out = try await runbook(bad, hook: hook, audit: audit)
                    #expect(out.code == 2, "\(bad): \(out.code) \(out.stderr)")
                }
            }
        }
    }
}
