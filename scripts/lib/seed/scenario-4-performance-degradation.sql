-- For two hours every file has taken about four times as long; a few files wait for the
-- worker. The cause is applied by scripts/sandbox after this seed, one per scenario-4-*
-- scenario: the index dropped (and the slow_ms fault for scenario-4-performance-degradation
-- itself), etl_file bloated, or a session holding a lock on cattle_lot.
UPDATE etl_file
   SET completed_at = least(processing_started_at + (completed_at - processing_started_at) * 4, now() - interval '10 seconds'),
       updated_at = least(processing_started_at + (completed_at - processing_started_at) * 4, now() - interval '10 seconds')
 WHERE uploaded_at > now() - interval '2 hours' AND completed_at IS NOT NULL;

INSERT INTO etl_file (filename, status, content, uploaded_at, updated_at)
SELECT format('%s_%s_%s.csv', pg_temp.farm(n), to_char(now(), 'YYYYMMDD_HH24MI'), n), 'uploaded',
       pg_temp.lots_csv(pg_temp.farm(n), 20), now() - (13 - n) * interval '20 seconds', now() - (13 - n) * interval '20 seconds'
  FROM generate_series(1, 12) AS n;

INSERT INTO etl_alert_history (alert, severity, message, triggered_at)
SELECT 'slow_processing', 'warning',
       format('mean processing %ss in the last hour, baseline %ss',
              round(avg(extract(epoch FROM completed_at - processing_started_at)) FILTER (WHERE completed_at > now() - interval '1 hour')::numeric, 2),
              round(avg(extract(epoch FROM completed_at - processing_started_at))::numeric, 2)),
       now() - interval '90 minutes'
  FROM etl_file WHERE completed_at > now() - interval '7 days';
