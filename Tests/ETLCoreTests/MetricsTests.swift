import ETLCore
import Foundation
import HummingbirdTesting
import Testing

@Suite("/metrics: etl-core's signals through swift-prometheus, as promtool reads them")
struct MetricsTests {
    /// The value of one sample line (`name{labels} value`), nil when absent.
    static func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test("finished and failed counters by error type, the histogram, upload refusals, window gauges; promtool accepts it")
    func counters() async throws {
        try await ServiceHarness.run(configure: { $0.maxUploadBytes = 2000 }) { harness in
            let loaded = [try await harness.upload("ok-1.csv", validCSV(rows: 3)), try await harness.upload("ok-2.csv", validCSV(rows: 3))]
            for id in loaded { #expect(try await harness.waitUntilFinished(id)["status"] as? String == "loaded") }
            try await harness.request(.post, "/admin/faults", json: #"{"connection_error_rate": 1}"#)
            let failed = [try await harness.upload("bad-1.csv", validCSV(rows: 3)), try await harness.upload("bad-2.csv", validCSV(rows: 3)),
                          try await harness.upload("bad-3.csv", validCSV(rows: 3))]
            for id in failed { #expect(try await harness.waitUntilFinished(id)["status"] as? String == "error") }
            #expect(try await harness.request(.post, "/files", json: "{not json").status == .badRequest)
            #expect(try await harness.request(.post, "/files", json: #"{"filename": "", "content": "x"}"#).status == .badRequest)
            let big = String(repeating: "x", count: 3000)
            #expect(try await harness.request(.post, "/files", json: #"{"filename": "big.csv", "content": "\#(big)"}"#).status == .contentTooLarge)

            let response = try await harness.request(.get, "/metrics", headers: [:])
            #expect(response.status == .ok)
            let text = response.text
            #expect(Self.sample(text, #"etl_files_finished_total{status="loaded"}"#) == 2, "\(text)")
            #expect(Self.sample(text, #"etl_files_finished_total{status="error"}"#) == 3)
            #expect(Self.sample(text, #"etl_files_failed_total{error_type="connection"}"#) == 3)
            #expect(Self.sample(text, #"etl_files_failed_total{error_type="validation"}"#) == 0)
            #expect(Self.sample(text, "etl_file_processing_seconds_count") == 5)
            #expect(Self.sample(text, #"etl_file_processing_seconds_bucket{le="+Inf"}"#) == 5)
            #expect(Self.sample(text, #"etl_upload_refusals_total{reason="invalid"}"#) == 2)
            #expect(Self.sample(text, #"etl_upload_refusals_total{reason="too_large"}"#) == 1)
            // The database's view of the same hour, which the alert rules read.
            #expect(Self.sample(text, #"etl_files_finished_1h{status="loaded"}"#) == 2)
            #expect(Self.sample(text, #"etl_files_finished_1h{status="error"}"#) == 3)
            #expect(Self.sample(text, #"etl_files_finished_4h{status="error"}"#) == 3)
            #expect(Self.sample(text, #"etl_files{status="error"}"#) == 3)
            #expect(Self.sample(text, "etl_dlq_unresolved") == 3)
            #expect(Self.sample(text, "etl_files_completed_1h") == 5, "loaded and failed files both complete")
            #expect(Self.sample(text, "etl_files_oldest_pending_age_seconds") == 0)
            #expect(Self.sample(text, "etl_database_up") == 1)
            #expect(try #require(Self.sample(text, "etl_last_completion_age_seconds")) < 3600)
            #expect(try #require(Self.sample(text, "etl_worker_heartbeat_age_seconds")) < 3600)
            #expect(try #require(Self.sample(text, "etl_log_directory_bytes")) > 0)
            #expect(try #require(Self.sample(text, "etl_log_filesystem_available_bytes")) > 0)
            #expect(text.contains("# TYPE etl_files_failed_total counter"))
            #expect(text.contains("# TYPE etl_file_processing_seconds histogram"))

            let check = try Promtool.checkMetrics(text)
            #expect(check.status == 0, "promtool check metrics: \(check.output)")
            #expect(check.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool's lint findings: \(check.output)")
        }
    }

    @Test("a file waiting shows its age; the worker's heartbeat age grows while it is stopped")
    func pendingAndHeartbeat() async throws {
        try await ServiceHarness.run(worker: false) { harness in
            _ = try await harness.upload("waits.csv", validCSV(rows: 2))
            try await harness.database.execute("UPDATE etl_file SET uploaded_at = now() - interval '2 hours'")
            let text = try await harness.request(.get, "/metrics", headers: [:]).text
            #expect(try #require(Self.sample(text, "etl_files_oldest_pending_age_seconds")) >= 7200)
            #expect(Self.sample(text, "etl_files_pending_over_1h") == 1)
            // No worker ran in this process: no heartbeat ever, which reads as lost.
            #expect(Self.sample(text, "etl_worker_heartbeat_age_seconds") == 1e9)
            #expect(Self.sample(text, "etl_worker_alive") == 0)
            // No file ever completed.
            #expect(Self.sample(text, "etl_last_completion_age_seconds") == 1e9)
        }
    }

    @Test("the recent windows EtlProcessingSlow pages on: files by when they completed, their mean processing time")
    func recentWindows() async throws {
        try await ServiceHarness.run { harness in
            var ids: [Int] = []
            for n in 1...3 { ids.append(try await harness.upload("w-\(n).csv", validCSV(rows: 2))) }
            for id in ids { #expect(try await harness.waitUntilFinished(id)["status"] as? String == "loaded") }
            // One finished 10 minutes ago in 30 s, one 20 minutes ago in 90 s, one just now.
            try await harness.database.execute("""
                UPDATE etl_file SET completed_at = now() - interval '10 minutes', processing_started_at = now() - interval '10 minutes 30 seconds'
                 WHERE id = \(ids[0])
                """)
            try await harness.database.execute("""
                UPDATE etl_file SET completed_at = now() - interval '20 minutes', processing_started_at = now() - interval '21 minutes 30 seconds'
                 WHERE id = \(ids[1])
                """)
            let text = try await harness.request(.get, "/metrics", headers: [:]).text
            #expect(Self.sample(text, #"etl_files_completed_recent{window_minutes="5"}"#) == 1, "\(text)")
            #expect(Self.sample(text, #"etl_files_completed_recent{window_minutes="15"}"#) == 2)
            let recent5 = try #require(Self.sample(text, #"etl_processing_seconds_avg_recent{window_minutes="5"}"#))
            let recent15 = try #require(Self.sample(text, #"etl_processing_seconds_avg_recent{window_minutes="15"}"#))
            #expect(recent5 < 15, "only the file just finished: \(recent5)")
            #expect(recent15 > 15 && recent15 < 30, "the 30 s file and the one just finished: \(recent15)")
            #expect(Self.sample(text, "etl_files_completed_1h") == 3)
        }
    }

    @Test("promtool check metrics can fail: a broken exposition is refused")
    func promtoolRefuses() throws {
        let broken = "# TYPE etl_x counter\netl_x{status=\"a\" 1\n"
        #expect(try Promtool.checkMetrics(broken).status != 0)
    }
}
