import PostgresNIO

/// A condition over the database that raises an alert in `etl_alert_history` while it holds.
///
/// `query` returns one row: a boolean (firing) and a text (the message).
public struct AlertRule: Sendable {
    /// Alert name: the 4th field of the `ALERT` log line.
    public var name: String
    /// `info`, `warning` or `critical`.
    public var severity: String
    /// `SELECT firing::bool, message::text`.
    public var query: PostgresQuery

    /// Creates a rule.
    public init(name: String, severity: String, query: PostgresQuery) {
        self.name = name
        self.severity = severity
        self.query = query
    }

    /// The rules `etl-core` evaluates, mirroring the seed runbook's thresholds.
    public static let standard: [AlertRule] = [
        AlertRule(name: "high_error_rate", severity: "critical", query: """
            SELECT count(*) >= 10 AND count(*) FILTER (WHERE status = 'error') * 10 > count(*),
                   format('error rate %s%% in the last hour (%s of %s files)',
                          round(100.0 * count(*) FILTER (WHERE status = 'error') / greatest(count(*), 1), 1),
                          count(*) FILTER (WHERE status = 'error'), count(*))
              FROM etl_file
             WHERE status IN ('loaded', 'error') AND updated_at > now() - interval '1 hour'
            """),
        AlertRule(name: "dlq_backlog", severity: "warning", query: """
            SELECT count(*) > 100, format('%s unresolved dead letter queue entries', count(*))
              FROM etl_dead_letter_queue WHERE NOT resolved
            """),
        // "Nenhum arquivo sendo processado há > 30 minutos": files wait AND nothing finished.
        // A busy service with a backlog (old files waiting, others finishing) is not stalled.
        AlertRule(name: "pipeline_stalled", severity: "critical", query: """
            SELECT count(*) > 0 AND NOT EXISTS (SELECT 1 FROM etl_file WHERE completed_at > now() - interval '30 minutes'),
                   format('%s files waiting more than 30 minutes, none finished in the last 30 minutes', count(*))
              FROM etl_file
             WHERE status IN ('uploaded', 'processing') AND uploaded_at < now() - interval '30 minutes'
            """),
        AlertRule(name: "slow_processing", severity: "warning", query: """
            WITH recent AS (
                SELECT avg(extract(epoch FROM completed_at - processing_started_at)) AS avg_s, count(*) AS n
                  FROM etl_file WHERE completed_at > now() - interval '1 hour' AND processing_started_at IS NOT NULL),
            baseline AS (
                SELECT avg(extract(epoch FROM completed_at - processing_started_at)) AS avg_s
                  FROM etl_file WHERE completed_at > now() - interval '7 days' AND processing_started_at IS NOT NULL)
            SELECT coalesce(recent.n >= 5 AND recent.avg_s > 2 * baseline.avg_s AND recent.avg_s > 1, false),
                   format('mean processing %ss in the last hour, baseline %ss',
                          round(coalesce(recent.avg_s, 0)::numeric, 2), round(coalesce(baseline.avg_s, 0)::numeric, 2))
              FROM recent, baseline
            """),
    ]
}
