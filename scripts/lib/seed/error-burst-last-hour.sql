-- A burst of upstream storage failures that began 50 minutes ago (every third file since),
-- now over: etl-core's high_error_rate alert (its last hour) paged 40 minutes ago, while four
-- hours of history dilute the same burst below 10 %. Re-queuing the last hour's connection
-- failures (POST /files/reprocess?error=connection&since_hours=1) loads them.
CREATE TEMP TABLE burst AS
SELECT id FROM etl_file
 WHERE status = 'loaded' AND uploaded_at > now() - interval '50 minutes' AND id % 3 = 0;

DELETE FROM cattle_lot WHERE file_id IN (SELECT id FROM burst);
UPDATE etl_file
   SET status = 'error', error_type = 'connection', rows_loaded = 0, rows_rejected = 0, attempts = 1,
       error_message = 'connection refused: upstream storage unavailable (' || :'storage' || ')'
 WHERE id IN (SELECT id FROM burst);

INSERT INTO etl_dead_letter_queue (error_type, entity_type, payload, error_message, file_id, created_at)
SELECT 'connection', 'file', jsonb_build_object('filename', filename, 'attempt', attempts), error_message, id, completed_at
  FROM etl_file WHERE id IN (SELECT id FROM burst);

INSERT INTO etl_alert_history (alert, severity, message, triggered_at)
SELECT 'high_error_rate', 'critical',
       format('error rate %s%% in the last hour (%s of %s files)',
              round(100.0 * count(*) FILTER (WHERE status = 'error') / greatest(count(*), 1), 1),
              count(*) FILTER (WHERE status = 'error'), count(*)),
       now() - interval '40 minutes'
  FROM etl_file WHERE status IN ('loaded', 'error') AND updated_at > now() - interval '1 hour';
