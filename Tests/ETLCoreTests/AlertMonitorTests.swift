import ETLCore
import Foundation
import Testing

@Suite("Alerts")
struct AlertMonitorTests {
    @Test("a high error rate raises one alert and an ALERT line whose 4th field is its name; it resolves when the rate falls")
    func highErrorRate() async throws {
        try await ServiceHarness.run(worker: false) { harness in
            try await harness.database.execute("""
                INSERT INTO etl_file (filename, status, error_type, updated_at)
                SELECT 'f' || i || '.csv', CASE WHEN i <= 3 THEN 'error' ELSE 'loaded' END,
                       CASE WHEN i <= 3 THEN 'connection' END, now() - interval '5 minutes'
                  FROM generate_series(1, 12) AS i
                """)
            let monitor = AlertMonitor(store: harness.service.store, events: harness.service.events,
                                       faults: harness.service.faults, interval: .seconds(60), logger: TestDatabase.logger)
            #expect(try await monitor.evaluate() == ["high_error_rate"])
            #expect(try await monitor.evaluate() == [])
            #expect(try await harness.database.scalar(
                "SELECT count(*) FROM etl_alert_history WHERE alert = 'high_error_rate' AND NOT resolved AND severity = 'critical'") == 1)
            let alertLines = harness.logLines("etl-service.log").filter { $0.contains("ALERT") }
            #expect(alertLines.map { ServiceHarness.fields($0)[4] } == ["high_error_rate"])

            try await harness.database.execute("UPDATE etl_file SET status = 'loaded', error_type = NULL")
            try await monitor.evaluate()
            #expect(try await harness.database.scalar(
                "SELECT count(*) FROM etl_alert_history WHERE resolved AND resolved_at IS NOT NULL") == 1)
            let metrics = try await harness.request(.get, "/metrics", headers: [:]).text
            #expect(metrics.contains("etl_alerts_active 0"))
        }
    }

    @Test("more than 100 unresolved DLQ entries raise dlq_backlog")
    func dlqBacklog() async throws {
        try await ServiceHarness.run(worker: false) { harness in
            try await harness.database.execute("""
                INSERT INTO etl_dead_letter_queue (error_type, entity_type, error_message)
                SELECT 'connection', 'file', 'x' FROM generate_series(1, 101)
                """)
            let monitor = AlertMonitor(store: harness.service.store, events: harness.service.events,
                                       faults: harness.service.faults, interval: .seconds(60), logger: TestDatabase.logger)
            #expect(try await monitor.evaluate() == ["dlq_backlog"])
            #expect(try await harness.request(.get, "/metrics", headers: [:]).text.contains("etl_dlq_unresolved 101.0"))
        }
    }

    @Test("pipeline_stalled: files waiting more than 30 minutes with nothing finished; a busy backlog is not a stall")
    func pipelineStalled() async throws {
        try await ServiceHarness.run(worker: false) { harness in
            let monitor = AlertMonitor(store: harness.service.store, events: harness.service.events,
                                       faults: harness.service.faults, interval: .seconds(60), logger: TestDatabase.logger)
            try await harness.database.execute("""
                INSERT INTO etl_file (filename, status, uploaded_at, updated_at)
                SELECT 'w' || i || '.csv', 'uploaded', now() - interval '45 minutes', now() - interval '45 minutes'
                  FROM generate_series(1, 3) AS i
                """)
            try await harness.database.execute("""
                INSERT INTO etl_file (filename, status, uploaded_at, processing_started_at, completed_at, updated_at)
                VALUES ('done.csv', 'loaded', now() - interval '50 minutes', now() - interval '5 minutes',
                        now() - interval '4 minutes', now() - interval '4 minutes')
                """)
            #expect(try await monitor.evaluate() == [], "busy: a file finished 4 minutes ago")
            try await harness.database.execute("UPDATE etl_file SET completed_at = now() - interval '40 minutes' WHERE filename = 'done.csv'")
            #expect(try await monitor.evaluate() == ["pipeline_stalled"], "nothing finished for 40 minutes while files wait")
            #expect(try await harness.database.scalar("""
                SELECT count(*) FROM etl_alert_history
                 WHERE alert = 'pipeline_stalled' AND NOT resolved AND message = '3 files waiting more than 30 minutes, none finished in the last 30 minutes'
                """) == 1)
        }
    }
}
