-- A worker crashed mid-batch 2 to 5 hours ago: 8 files stay in 'processing'.
INSERT INTO etl_file (filename, status, content, attempts, uploaded_at, processing_started_at, updated_at)
SELECT format('%s_%s.csv', pg_temp.farm(n), to_char(now() - (120 + n * 20) * interval '1 minute', 'YYYYMMDD_HH24MI')), 'processing',
       pg_temp.lots_csv(pg_temp.farm(n), 25), 1,
       now() - (121 + n * 20) * interval '1 minute', now() - (120 + n * 20) * interval '1 minute',
       now() - (120 + n * 20) * interval '1 minute'
  FROM generate_series(1, 8) AS n;

INSERT INTO etl_alert_history (alert, severity, message, triggered_at)
VALUES ('pipeline_stalled', 'critical', '8 files waiting more than 30 minutes', now() - interval '100 minutes');
INSERT INTO seed_log_extra VALUES
  (now() - interval '281 minutes', 'etl-service', pg_temp.ts(now() - interval '281 minutes') || ' FATAL worker killed by signal 9 (out of memory) while processing a batch of 8 files');
