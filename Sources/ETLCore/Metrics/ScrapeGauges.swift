import Foundation
import Prometheus

/// The gauges of one scrape of `/metrics`, read fresh each time (a registry per scrape, as
/// the console does): the database's figures, the worker's heartbeat, the faults in force and
/// the log folder. A figure that could not be read is absent, not stale; `etl_database_up`
/// says why.
struct ScrapeGauges {
    var database: MetricsSnapshot?
    var worker: WorkerState.Snapshot
    var workerAlive: Bool
    var faults: FaultSettings
    var logs: LogDiskUsage?

    /// The gauges in the Prometheus text format.
    func render() -> String {
        let registry = PrometheusCollectorRegistry()
        func gauge(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Double) {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels).set(to: value)
        }
        func gauge(_ name: String, _ help: String, _ value: Double) {
            gauge(name, help, [], value)
        }
        gauge("etl_database_up", "1 when the database answered the metrics queries.", database == nil ? 0 : 1)
        gauge("etl_worker_alive", "1 when the worker's heartbeat is recent.", workerAlive ? 1 : 0)
        // No heartbeat yet reads as "very old": a worker that never started is lost too.
        let heartbeatAge = worker.lastHeartbeat.map { Double((ContinuousClock.now - $0).milliseconds) / 1000 } ?? 1e9
        gauge("etl_worker_heartbeat_age_seconds", "Seconds since the worker's last heartbeat (1e9 before the first).", heartbeatAge)
        gauge("etl_worker_paused_by_fault", "1 while the worker idles because of an injected fault.", worker.pausedByFault ? 1 : 0)
        if let database {
            for status in FileStatus.allCases {
                gauge("etl_files", "Files in etl_file by status.", [("status", status.rawValue)], Double(database.filesByStatus[status.rawValue] ?? 0))
            }
            gauge("etl_dlq_unresolved", "Unresolved dead letter queue entries.", Double(database.deadLettersUnresolved))
            gauge("etl_alerts_active", "Unresolved alerts in etl_alert_history.", Double(database.alertsActive))
            gauge("etl_files_pending_over_30m", "Files uploaded over 30 minutes ago and not finished.", Double(database.pendingOver30Minutes))
            gauge("etl_files_pending_over_1h", "Files uploaded over an hour ago and not finished.", Double(database.pendingOver1Hour))
            gauge("etl_files_oldest_pending_age_seconds", "Age of the oldest file not finished (0 when none waits).", database.oldestPendingSeconds)
            gauge("etl_files_completed_24h", "Files completed in the last 24 hours.", Double(database.completed24h))
            gauge("etl_processing_seconds_avg_24h", "Mean processing time of files completed in the last 24 hours.", database.averageProcessingSeconds24h)
            for (status, count) in [("loaded", database.loadedLastHour), ("error", database.failedLastHour)] {
                gauge("etl_files_finished_1h", "Files that reached a final status in the last hour, by status.", [("status", status)], Double(count))
            }
            for (status, count) in [("loaded", database.loadedLast4Hours), ("error", database.failedLast4Hours)] {
                gauge("etl_files_finished_4h", "Files that reached a final status in the last 4 hours, by status.", [("status", status)], Double(count))
            }
            gauge("etl_files_completed_1h", "Files completed in the last hour.", Double(database.completedLastHour))
            gauge("etl_processing_seconds_avg_1h", "Mean processing time of files completed in the last hour.", database.averageProcessingSeconds1h)
            for window in database.recent {
                let label = [("window_minutes", String(window.minutes))]
                gauge("etl_files_completed_recent", "Files completed in the last window_minutes.", label, Double(window.completed))
                gauge("etl_processing_seconds_avg_recent", "Mean processing time of files completed in the last window_minutes.", label,
                      window.averageSeconds)
            }
            gauge("etl_processing_seconds_avg_7d", "Mean processing time of files completed in the last 7 days (the baseline).", database.averageProcessingSeconds7d)
            gauge("etl_last_completion_age_seconds", "Seconds since a file last completed (1e9 when none ever did).", database.lastCompletionSeconds ?? 1e9)
        }
        gauge("etl_fault_active", "Injected faults (sandbox).", [("fault", "connection_error_rate")], faults.connectionErrorRate)
        gauge("etl_fault_active", "Injected faults (sandbox).", [("fault", "slow_ms")], Double(faults.slowMilliseconds))
        gauge("etl_fault_active", "Injected faults (sandbox).", [("fault", "worker_stopped")], faults.workerStopped ? 1 : 0)
        gauge("etl_fault_active", "Injected faults (sandbox).", [("fault", "stalled")], faults.stalled ? 1 : 0)
        if let logs {
            gauge("etl_log_directory_bytes", "Bytes of the files in the log folder (the seed's df -h /var/log/etl).", Double(logs.directoryBytes))
            gauge("etl_log_filesystem_size_bytes", "Size of the file system holding the log folder.", Double(logs.filesystemBytes))
            gauge("etl_log_filesystem_available_bytes", "Free bytes on the file system holding the log folder.", Double(logs.availableBytes))
        }
        return registry.emitToString()
    }
}
