-- A burst of upstream storage failures over the last 4 hours (every sixth file, ~15% of the
-- files, in every hour of it), now over: re-queuing them (POST /files/reprocess?error=connection)
-- loads them. Every hour has its share, so etl-core's 1 h alert and the runbook's 1 h window
-- see the same rate whatever minute the test runs.
CREATE TEMP TABLE burst AS
SELECT id FROM etl_file
 WHERE status = 'loaded' AND uploaded_at > now() - interval '4 hours' AND id % 6 = 0;

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
       now() - interval '3 hours 20 minutes'
  FROM etl_file WHERE updated_at > now() - interval '4 hours';
