/// Figures from the database that `/metrics` exposes.
public struct MetricsSnapshot: Sendable {
    /// `etl_file` rows by status.
    public var filesByStatus: [String: Int] = [:]
    /// Unresolved DLQ entries.
    public var deadLettersUnresolved = 0
    /// Unresolved alerts.
    public var alertsActive = 0
    /// Mean `completed_at - processing_started_at` over files completed in 24 h, seconds.
    public var averageProcessingSeconds24h = 0.0
    /// Files completed in the last 24 h.
    public var completed24h = 0
    /// Files uploaded more than 30 minutes ago and not finished.
    public var pendingOver30Minutes = 0
}
