import Foundation
import Testing

extension SandboxSuites {
    /// Métricas de SLA: one verdict per scenario (OK / warning / breach), the same dry and
    /// live, nothing changed; and the SQL runs on a PostgreSQL without the sandbox's
    /// round(double precision, int) shim.
    @Suite("runbook sla-report")
    struct SLAReportTests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        static let checks = ["sla-success", "sla-processing", "sla-availability", "health-now", "recovery-time"]

        /// Dry and live run against the current scenario: same colours, same exit code, the
        /// database unchanged, the audit log intact. Returns the dry run's report.
        func verdict(expectCode: Int32) throws -> (report: [String: Any], status: [String: String]) {
            let audit = Sandbox.auditPath()
            let cutoff = try DiagnosisOnly.cutoff(sandbox)
            let before = try DiagnosisOnly.fingerprint(sandbox, cutoff: cutoff)
            let dry = try DiagnosisOnly.run(sandbox, "sla-report", dryRun: true, audit: audit)
            #expect(dry.output.code == expectCode, "\(dry.output.stdout)\(dry.output.stderr)")
            #expect(dry.status["report"] == "planned")
            let live = try DiagnosisOnly.run(sandbox, "sla-report", dryRun: false, audit: audit)
            #expect(live.output.code == expectCode, "\(live.output.stdout)\(live.output.stderr)")
            #expect(live.status["report"] == "succeeded")
            for check in Self.checks {
                #expect(dry.status[check] == live.status[check], "\(check): dry \(dry.status[check] ?? "-") live \(live.status[check] ?? "-")")
            }
            #expect(try DiagnosisOnly.fingerprint(sandbox, cutoff: cutoff) == before, "the runbook changed the database")
            #expect(try sandbox.auditIntact(audit))
            return (dry.report, dry.status)
        }

        func successRate(_ report: [String: Any]) -> Double {
            DiagnosisOnly.number(DiagnosisOnly.firstRow(report, "sla-success")["success_rate_percent"]) ?? -1
        }

        @Test func healthyIsOK() throws {
            try sandbox.reseed("healthy")
            let (report, status) = try verdict(expectCode: 0)
            #expect(report["status"] as? String == "green", "\(status)")
            #expect(status["sla-success"] == "green")
            #expect(successRate(report) >= 98, "\(successRate(report))")
            #expect(DiagnosisOnly.firstRow(report, "sla-success")["sla_status"] as? String == "✅ SLA OK")
            #expect(status["sla-processing"] == "green")
            #expect(DiagnosisOnly.number(DiagnosisOnly.firstRow(report, "sla-processing")["within_sla_percent"]) == 100)
            let availability = DiagnosisOnly.firstRow(report, "sla-availability")
            #expect(status["sla-availability"] == "green")
            #expect(DiagnosisOnly.number(availability["downtime_minutes"]) == 0, "\(availability)")
            #expect(DiagnosisOnly.number(availability["budget_minutes"]) == 216, "99.5 % of 30 days leaves 216 min")
            #expect(status["health-now"] == "green")
            let text = DiagnosisOnly.notifyMessage(report, "report")
            #expect(text.contains("Veredito: ✅ SLA OK"), "\(text)")
            #expect(text.contains("Taxa de sucesso: \(DiagnosisOnly.firstRow(report, "sla-success")["success_rate_percent"] ?? "?")%"), "\(text)")
        }

        /// The issue's outage: etl-core stopped three days ago, so nothing was uploaded since
        /// and no file waited (the old rule, built on waiting files, said 100 % green); the
        /// probes of /health the ledger kept every minute say 4,320 minutes down.
        @Test func threeDaysDownIsABreach() throws {
            try sandbox.reseed("outage-3-days")
            let (report, status) = try verdict(expectCode: 1)
            #expect(report["status"] as? String == "red", "\(status)")
            let availability = DiagnosisOnly.firstRow(report, "sla-availability")
            #expect(status["sla-availability"] == "red", "\(availability)")
            #expect(DiagnosisOnly.number(availability["downtime_minutes"]) == 4320, "\(availability)")
            #expect(DiagnosisOnly.number(availability["outages"]) == 1, "\(availability)")
            #expect(availability["has_signal"] as? Bool == true)
            let measured = DiagnosisOnly.number(availability["availability_percent"]) ?? 100
            #expect(measured < 99.5 && measured > 80, "\(availability)")
            #expect(status["health-now"] == "yellow", "etl-core is stopped")
            let text = DiagnosisOnly.notifyMessage(report, "report")
            #expect(text.contains("Taxa de sucesso: sem dados de 0 arquivos"), "a null renders as 'sem dados': \(text)")
            #expect(!text.contains(": %"), "\(text)")
            #expect(text.contains("4320 min parado em 1 período(s)"), "\(text)")
            #expect(text.contains("Veredito: ❌ SLA Breach"), "\(text)")
        }

        /// A healthy month without a single probe in the ledger: availability is unknown, and
        /// the report says so instead of calling it green.
        @Test func noProbeIsNoSignal() throws {
            try sandbox.reseed("healthy")
            try Sandbox.ledger().psql("DELETE FROM runbook.probes WHERE environment = 'sandbox'")
            let (report, status) = try verdict(expectCode: 0)
            let availability = DiagnosisOnly.firstRow(report, "sla-availability")
            #expect(status["sla-availability"] == "yellow", "\(availability)")
            #expect(availability["has_signal"] as? Bool == false, "\(availability)")
            #expect(availability["availability_percent"] is NSNull, "no probe, no percentage: \(availability)")
            #expect(DiagnosisOnly.number(availability["unknown_minutes"]) == 43200.0, "\(availability)")
            #expect(report["status"] as? String == "yellow")
            let text = DiagnosisOnly.notifyMessage(report, "report")
            #expect(text.contains("Disponibilidade: sem sinal: nenhuma sonda do /health no ledger em 30 dias"), "\(text)")
            #expect(text.contains("Veredito: ⚠️ SLA Warning"), "\(text)")
        }

        /// Minutes nobody probed are unknown, not up: a month with 250 unprobed minutes cannot
        /// prove the 216-minute budget (yellow), though nothing was seen down.
        @Test func unprobedMinutesAreUnknown() throws {
            try sandbox.reseed("healthy")
            try Sandbox.ledger().psql("""
                DELETE FROM runbook.probes WHERE environment = 'sandbox'
                   AND minute >= date_trunc('minute', now()) - interval '10 days'
                   AND minute < date_trunc('minute', now()) - interval '10 days' + interval '250 minutes'
                """)
            let (report, status) = try verdict(expectCode: 0)
            let availability = DiagnosisOnly.firstRow(report, "sla-availability")
            #expect(status["sla-availability"] == "yellow", "\(availability)")
            #expect(DiagnosisOnly.number(availability["downtime_minutes"]) == 0, "\(availability)")
            #expect((DiagnosisOnly.number(availability["unknown_minutes"]) ?? 0) >= 250, "\(availability)")
            #expect(DiagnosisOnly.number(availability["availability_percent"]) == 100, "of the minutes probed, all were up")
        }

        @Test func successRate96IsAWarning() throws {
            try sandbox.reseed("success-rate-96")
            let (report, status) = try verdict(expectCode: 0)
            #expect(report["status"] as? String == "yellow", "\(status)")
            #expect(status["sla-success"] == "yellow")
            #expect((95..<98).contains(successRate(report)), "\(successRate(report))")
            #expect(DiagnosisOnly.firstRow(report, "sla-success")["sla_status"] as? String == "⚠️ SLA Warning")
            #expect(status["sla-availability"] == "green")
            #expect(DiagnosisOnly.notifyMessage(report, "report").contains("Veredito: ⚠️ SLA Warning"))
        }

        @Test func dailyRedIsABreach() throws {
            try sandbox.reseed("daily-red")
            let (report, status) = try verdict(expectCode: 1)
            #expect(report["status"] as? String == "red")
            #expect(status["sla-success"] == "red")
            #expect(successRate(report) < 95, "\(successRate(report))")
            #expect(DiagnosisOnly.firstRow(report, "sla-success")["sla_status"] as? String == "❌ SLA Breach")
            #expect(status["sla-processing"] == "green", "only the success rate is breached")
            #expect(DiagnosisOnly.notifyMessage(report, "report").contains("Veredito: ❌ SLA Breach"))
        }

        /// The report's SQL on a database without the sandbox's compatibility shim, with
        /// hand-made data whose figures are known: 96 of 100 files loaded (warning); two
        /// files still waiting, 5 h and 4 h after upload (98 of 100 within 2 h). Availability
        /// reads the ledger, not this database (the tests above).
        @Test func runsOnPlainPostgreSQL() throws {
            let name = "sla_plain_\(UInt32.random(in: 0...UInt32.max))"
            try sandbox.psql("CREATE DATABASE \(name)")
            defer { _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
            let plain = Sandbox(databaseURL: Sandbox.url(sandbox.databaseURL, database: name), apiURL: sandbox.apiURL,
                                token: sandbox.token, logDir: sandbox.logDir)
            #expect(throws: Sandbox.PSQLFailed.self, "the shim must not exist here") {
                try plain.psql("SELECT round(1.234::double precision, 2)")
            }
            try plain.psql("""
                CREATE TABLE etl_file (id bigserial PRIMARY KEY, filename text NOT NULL, status text NOT NULL,
                    attempts int NOT NULL DEFAULT 1, uploaded_at timestamptz NOT NULL,
                    processing_started_at timestamptz, completed_at timestamptz);
                CREATE TABLE etl_alert_history (id bigserial PRIMARY KEY, alert text, severity text, message text,
                    triggered_at timestamptz NOT NULL, resolved boolean NOT NULL DEFAULT false, resolved_at timestamptz);
                INSERT INTO etl_file (filename, status, uploaded_at, processing_started_at, completed_at)
                SELECT 'f' || n || '.csv', CASE WHEN n <= 96 THEN 'loaded' ELSE 'error' END,
                       now() - n * interval '10 minutes', now() - n * interval '10 minutes' + interval '20 seconds',
                       now() - n * interval '10 minutes' + interval '80 seconds'
                  FROM generate_series(1, 98) AS n;
                INSERT INTO etl_file (filename, status, attempts, uploaded_at) VALUES
                    ('waiting-5h.csv', 'uploaded', 0, now() - interval '5 hours'),
                    ('waiting-4h.csv', 'uploaded', 0, now() - interval '4 hours');
                INSERT INTO etl_file (filename, status, uploaded_at, processing_started_at, completed_at) VALUES
                    ('late.csv', 'loaded', now() - interval '3 days', now() - interval '3 days' + interval '50 minutes',
                     now() - interval '3 days' + interval '51 minutes');
                INSERT INTO etl_alert_history (alert, severity, message, triggered_at, resolved, resolved_at)
                VALUES ('pipeline_stalled', 'critical', 'files waiting', now() - interval '4 hours 30 minutes', false, NULL);
                """)
            let audit = Sandbox.auditPath()
            let run = try DiagnosisOnly.run(plain, "sla-report", dryRun: true, audit: audit)
            for check in Self.checks { #expect(run.status[check] != "error", "\(check) failed on plain PostgreSQL: \(run.output.stdout)") }
            #expect(run.status["sla-success"] == "yellow")
            #expect(DiagnosisOnly.number(DiagnosisOnly.firstRow(run.report, "sla-success")["success_rate_percent"]) == 96)
            #expect(run.status["sla-processing"] == "green", "98 of 100 within 2 h")
            #expect(DiagnosisOnly.number(DiagnosisOnly.firstRow(run.report, "sla-processing")["within_sla_percent"]) == 98)
            #expect(run.status["recovery-time"] == "green")
            #expect(DiagnosisOnly.number(DiagnosisOnly.firstRow(run.report, "recovery-time")["open"]) == 1, "the open alert is counted")
            #expect(try sandbox.auditIntact(audit))
        }
    }
}
