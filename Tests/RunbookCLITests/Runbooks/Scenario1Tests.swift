import Foundation
import Testing

extension SandboxSuites {
    /// Cenário 1: etl-core is not running and 22 files wait. The dry run finds the service
    /// stopped and files stalled and only plans the restart; the live run restarts it through
    /// the environment's service_restart command and waits until the files drain.
    @Suite("runbook scenario-1-pipeline-stopped")
    struct Scenario1Tests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        let pending = "SELECT count(*) FROM etl_file WHERE status IN ('uploaded', 'processing')"
        let stalled = "SELECT count(*) FROM etl_file WHERE status IN ('uploaded', 'processing') AND uploaded_at < now() - interval '30 minutes'"

        @Test func diagnosesRestartsAndVerifies() throws {
            try sandbox.reseed("scenario-1-pipeline-stopped")
            let audit = Sandbox.auditPath()
            let pendingBefore = try sandbox.psql(pending)
            #expect((Int(pendingBefore) ?? 0) > 0)
            #expect(try serviceStatus() == 3, "the scenario leaves etl-core stopped")

            let dry = try sandbox.runbook(["run", "scenario-1-pipeline-stopped", "--dry-run", "--format", "json"], audit: audit)
            #expect(dry.code == 1, "\(dry.stderr)")
            let dryReport = try Sandbox.report(dry)
            let dryStatus = Sandbox.statuses(dryReport)
            #expect(dryStatus["service-status"] == "red")
            #expect(dryStatus["api-health"] == "red")
            #expect(dryStatus["db-connectivity"] == "green")
            #expect(dryStatus["config"] == "green")
            #expect(dryStatus["files-flow"] == "red")
            #expect(DiagnosisOnly.firstRow(dryReport, "files-flow")["state"] as? String == "stalled")
            #expect(dryStatus["recent-log-errors"] == "yellow", "the seeded FATAL line is in the window")
            #expect(dryStatus["restart-service"] == "planned")
            #expect(dryStatus["stop-service"] == "skipped")
            #expect(dryStatus["files-flow-after"] == "skipped")
            #expect(Self.step(dryReport, "restart-service")?["message"] as? String == "would run scripts/sandbox restart etl-core")
            #expect(try sandbox.psql(pending) == pendingBefore, "the dry run changed the database")
            #expect(try serviceStatus() == 3, "the dry run started the service")

            let live = try sandbox.runbook(["run", "scenario-1-pipeline-stopped", "--yes", "--operator", "oncall", "--format", "json"], audit: audit)
            #expect(live.code == 0, "\(live.stdout)\(live.stderr)")
            let liveStatus = Sandbox.statuses(try Sandbox.report(live))
            #expect(liveStatus["restart-service"] == "succeeded")
            #expect(liveStatus["service-status-after"] == "green")
            #expect(liveStatus["api-health-after"] == "green")
            #expect(liveStatus["files-flow-after"] == "green")
            #expect(liveStatus["alert-cleared"] == "green", "the page (pipeline_stalled) did not resolve")
            #expect(try sandbox.psql("SELECT count(*) FROM etl_alert_history WHERE alert = 'pipeline_stalled' AND NOT resolved") == "0")
            #expect(liveStatus["stop-service"] == "skipped", "the fallback ran although the restart worked")
            #expect(liveStatus["incident-update"] == "succeeded")
            #expect(try serviceStatus() == 0)
            #expect(try sandbox.psql(stalled) == "0", "files still wait more than 30 minutes")
            #expect(try sandbox.auditIntact(audit))
        }

        /// The seed's "se falhar ... restart completo": when service_restart fails, the runbook
        /// stops and starts the service, and the files flow again. The failed restart keeps the
        /// run red (exit 1): someone must find out why it failed.
        @Test func fallsBackToStopAndStartWhenTheRestartFails() throws {
            try sandbox.reseed("scenario-1-pipeline-stopped")
            let project = try Self.project(restart: ["/bin/false"])
            defer { try? FileManager.default.removeItem(at: project) }
            let audit = Sandbox.auditPath()

            let live = try run(["run", "scenario-1-pipeline-stopped", "--env", "restart-broken", "--yes", "--format", "json"], dir: project, audit: audit)
            #expect(live.code == 1, "\(live.stdout)\(live.stderr)")
            let status = Sandbox.statuses(try Sandbox.report(live))
            #expect(status["restart-service"] == "failed")
            #expect(status["service-status-after"] == "skipped")
            #expect(status["stop-service"] == "succeeded")
            #expect(status["start-service"] == "succeeded")
            #expect(status["service-status-final"] == "green")
            #expect(status["api-health-final"] == "green")
            #expect(status["files-flow-after"] == "green")
            #expect(try serviceStatus() == 0)
            #expect(try sandbox.psql(stalled) == "0")
            #expect(try sandbox.auditIntact(audit))
        }

        /// "Nothing processed for > 30 min", not "some file waited > 30 min": a healthy service
        /// busy with a backlog (files waiting 35-55 min while others keep finishing) is yellow
        /// and is not restarted.
        @Test func busyBacklogIsNotRestarted() throws {
            try sandbox.reseed("busy-backlog")
            let audit = Sandbox.auditPath()
            #expect(Int(try sandbox.psql(stalled)) ?? 0 > 0, "old files wait")
            let dry = try sandbox.runbook(["run", "scenario-1-pipeline-stopped", "--dry-run", "--format", "json"], audit: audit)
            let report = try Sandbox.report(dry)
            let status = Sandbox.statuses(report)
            #expect(status["service-status"] == "green" && status["api-health"] == "green", "\(status)")
            #expect(status["files-flow"] == "yellow", "\(DiagnosisOnly.firstRow(report, "files-flow"))")
            #expect(DiagnosisOnly.firstRow(report, "files-flow")["state"] as? String == "backlog")
            #expect(status["restart-service"] == "skipped", "a busy, healthy service would be restarted")
            #expect(dry.code == 0, "\(dry.stdout)\(dry.stderr)")
        }

        /// The seed's "verificar configuração": a configuration that is not JSON is red, and the
        /// runbook then restarts nothing (a restart on a broken configuration does not come back).
        @Test func brokenConfigurationBlocksTheRestart() throws {
            try sandbox.reseed("scenario-1-pipeline-stopped")
            let config = FileManager.default.temporaryDirectory.appendingPathComponent("etl-config-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: config) }
            try #"{"database": {"host": "127.0.0.1", "password": "s3cret"}, "log_dir": "/x""#
                .write(to: config.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
            let audit = Sandbox.auditPath()
            let dry = try sandbox.runbook(["run", "scenario-1-pipeline-stopped", "--dry-run", "--format", "json"], audit: audit,
                                          extra: ["ETL_CONFIG_DIR": config.path])
            let report = try Sandbox.report(dry)
            let status = Sandbox.statuses(report)
            #expect(status["config"] == "red", "\(DiagnosisOnly.stdout(report, "config"))")
            #expect(!DiagnosisOnly.stdout(report, "config").contains("s3cret"), "a secret of the configuration was printed")
            #expect(status["restart-service"] == "skipped")
            #expect(dry.code == 1)
        }

        /// `scripts/sandbox status etl-core`: 0 running, 3 stopped.
        func serviceStatus() throws -> Int32 {
            try Sandbox.spawnAndWait(["/bin/bash", "-c", "cd '\(CLITests.packageRoot.path)' && scripts/sandbox status etl-core > /dev/null 2>&1"])
        }

        static func step(_ report: [String: Any], _ id: String) -> [String: Any]? {
            (report["steps"] as? [[String: Any]])?.first { $0["id"] as? String == id }
        }

        /// A project folder with the real runbooks, checks and templates and an environment
        /// like the sandbox's whose service_restart is `restart`.
        static func project(restart: [String]) throws -> URL {
            let fm = FileManager.default
            let dir = fm.temporaryDirectory.appendingPathComponent("rb-s1-\(UUID().uuidString)")
            try fm.createDirectory(at: dir.appendingPathComponent("environments"), withIntermediateDirectories: true)
            for item in ["runbooks", "checks", "templates", "escalation.yaml"] {
                try fm.createSymbolicLink(at: dir.appendingPathComponent(item), withDestinationURL: CLITests.packageRoot.appendingPathComponent(item))
            }
            let sandbox = CLITests.packageRoot.appendingPathComponent("scripts/sandbox").path
            let argv = restart.map { "\"\($0)\"" }.joined(separator: ", ")
            try """
                environment: restart-broken
                database: {url: "${ETL_DATABASE_URL}"}
                api: {url: "${ETL_API_URL}", token: "${ETL_API_TOKEN}"}
                logs: "${ETL_LOG_DIR}"
                config_dir: "\(CLITests.packageRoot.appendingPathComponent(".sandbox/etc/etl").path)"
                commands:
                  service_status: ["\(sandbox)", status, etl-core]
                  service_restart: [\(argv)]
                  service_stop: ["\(sandbox)", stop, etl-core]
                  service_start: ["\(sandbox)", start, etl-core]
                secrets: [ETL_API_TOKEN, ETL_DATABASE_URL]
                notify: {log: "\(dir.path)/operational.log"}
                """.write(to: dir.appendingPathComponent("environments/restart-broken.yaml"), atomically: true, encoding: .utf8)
            return dir
        }

        /// The CLI with `--dir dir`.
        func run(_ args: [String], dir: URL, audit: String) throws -> CLITests.Output {
            try sandbox.runbook(args, audit: audit, dir: dir)
        }
    }
}
