/// Figures from the database that `/metrics` exposes.
public struct MetricsSnapshot: Sendable {
    /// The short windows of ``recent``, minutes (`window_minutes` of their gauges): 15 is the
    /// rule's (alerts/etl.rules.yaml), 5 what a test with short waits selects instead.
    public static let recentWindowMinutes = [5, 15]

    /// The files completed in the last `minutes` and their mean processing time.
    public struct RecentProcessing: Sendable, Equatable {
        public var minutes: Int
        public var completed: Int
        public var averageSeconds: Double
    }

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
    /// Files uploaded more than an hour ago and not finished (the seed's "pendentes").
    public var pendingOver1Hour = 0
    /// Age of the oldest file not finished, seconds; 0 when none waits.
    public var oldestPendingSeconds = 0.0
    /// Files that became `loaded` in the last hour.
    public var loadedLastHour = 0
    /// Files that became `error` in the last hour.
    public var failedLastHour = 0
    /// Files that became `loaded` and `error` in the last 4 hours (the seed's diagnosis window).
    public var loadedLast4Hours = 0
    public var failedLast4Hours = 0
    /// Files completed in the last hour.
    public var completedLastHour = 0
    /// Mean processing time over the last hour, seconds (0 when none completed).
    public var averageProcessingSeconds1h = 0.0
    /// Files completed in each of ``recentWindowMinutes`` (the last minutes), and their mean
    /// processing time, seconds (0 when none completed): what `EtlProcessingSlow` pages on, so
    /// that it clears minutes after a cure rather than an hour.
    public var recent: [RecentProcessing] = []
    /// Mean processing time over 7 days, seconds: the baseline "2x slower" compares with.
    public var averageProcessingSeconds7d = 0.0
    /// Seconds since the last completion; nil when no file ever completed.
    public var lastCompletionSeconds: Double?
}
