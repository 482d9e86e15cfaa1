/// Renders `/metrics` in the Prometheus text exposition format.
enum MetricsRenderer {
    static func render(database: MetricsSnapshot?, worker: WorkerState.Snapshot, workerAlive: Bool, faults: FaultSettings) -> String {
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for sample in samples {
                lines.append("\(name)\(sample.labels) \(sample.value)")
            }
        }
        metric("etl_database_up", "gauge", "1 when the database answered the metrics queries.", [("", database == nil ? "0" : "1")])
        metric("etl_worker_alive", "gauge", "1 when the worker's heartbeat is recent.", [("", workerAlive ? "1" : "0")])
        if let database {
            metric("etl_files", "gauge", "Files in etl_file by status.",
                   FileStatus.allCases.map { ("{status=\"\($0.rawValue)\"}", String(database.filesByStatus[$0.rawValue] ?? 0)) })
            metric("etl_dlq_unresolved", "gauge", "Unresolved dead letter queue entries.", [("", String(database.deadLettersUnresolved))])
            metric("etl_alerts_active", "gauge", "Unresolved alerts in etl_alert_history.", [("", String(database.alertsActive))])
            metric("etl_files_pending_over_30m", "gauge", "Files uploaded over 30 minutes ago and not finished.",
                   [("", String(database.pendingOver30Minutes))])
            metric("etl_files_completed_24h", "gauge", "Files completed in the last 24 hours.", [("", String(database.completed24h))])
            metric("etl_processing_seconds_avg_24h", "gauge", "Mean processing time of files completed in the last 24 hours.",
                   [("", String(database.averageProcessingSeconds24h))])
        }
        metric("etl_worker_processing_milliseconds", "summary", "Processing time of files finished by this process.",
               [("_sum", String(worker.processingMillisecondsSum)), ("_count", String(worker.filesProcessed))])
        metric("etl_worker_rows_loaded_total", "counter", "Rows loaded by this process.", [("", String(worker.rowsLoaded))])
        metric("etl_fault_active", "gauge", "Injected faults (sandbox).", [
            ("{fault=\"connection_error_rate\"}", String(faults.connectionErrorRate)),
            ("{fault=\"slow_ms\"}", String(faults.slowMilliseconds)),
            ("{fault=\"worker_stopped\"}", faults.workerStopped ? "1" : "0"),
            ("{fault=\"stalled\"}", faults.stalled ? "1" : "0"),
        ])
        return lines.joined(separator: "\n") + "\n"
    }
}
