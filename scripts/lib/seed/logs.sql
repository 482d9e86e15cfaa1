-- The log files, from the seeded history: "<file name>\t<line>", oldest first. The last
-- 7 days go to the current files; older lines to weekly rotated files
-- (etl-service.2026-10-05.log, ...), which scripts/sandbox dates with touch -d.
\o
COPY (
  WITH lines AS (
    SELECT uploaded_at AS ts, 'etl-service' AS target,
           format('%s INFO  api file_id=%s uploaded file=%s', pg_temp.ts(uploaded_at), id, filename) AS line
      FROM etl_file
    UNION ALL
    SELECT completed_at, 'etl-service',
           format('%s INFO  worker file_id=%s loaded rows=%s rejected=%s file=%s', pg_temp.ts(completed_at), id, rows_loaded, rows_rejected, filename)
      FROM etl_file WHERE status = 'loaded'
    UNION ALL
    SELECT completed_at, t.target,
           format('%s ERROR worker file_id=%s %s %s %s', pg_temp.ts(completed_at), id, error_type, filename, error_message)
      FROM etl_file CROSS JOIN (VALUES ('etl-service'), ('errors')) AS t(target)
     WHERE status = 'error' AND completed_at IS NOT NULL
    UNION ALL
    SELECT completed_at, 'metrics',
           format('%s PROCESSING_TIME %s %s', pg_temp.ts(completed_at), filename,
                  round(extract(epoch FROM completed_at - processing_started_at) * 1000)::bigint)
      FROM etl_file WHERE completed_at IS NOT NULL AND processing_started_at IS NOT NULL
    UNION ALL
    SELECT completed_at, 'etl-service',
           format('%s WARN  SLOW_QUERY worker file_id=%s duration_ms=%s query="load file %s" threshold_ms=150000',
                  pg_temp.ts(completed_at), id, round(extract(epoch FROM completed_at - processing_started_at) * 1000)::bigint, filename)
      FROM etl_file WHERE completed_at - processing_started_at > interval '150 seconds'
    UNION ALL
    SELECT triggered_at, 'etl-service', format('%s ALERT %s severity=%s %s', pg_temp.ts(triggered_at), alert, severity, message)
      FROM etl_alert_history
    UNION ALL
    SELECT resolved_at, 'etl-service', format('%s INFO  alerts %s resolved', pg_temp.ts(resolved_at), alert)
      FROM etl_alert_history WHERE resolved
    UNION ALL
    SELECT ts, target, line FROM seed_log_extra
  )
  SELECT CASE WHEN ts > now() - interval '7 days' THEN target || '.log'
              ELSE target || '.' || to_char(date_trunc('week', ts), 'YYYY-MM-DD') || '.log' END,
         line
    FROM lines
   ORDER BY ts
) TO STDOUT;
