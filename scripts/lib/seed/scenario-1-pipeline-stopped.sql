-- The service died 45 minutes ago: files kept arriving and nothing processed them.
INSERT INTO etl_file (filename, status, content, uploaded_at, updated_at)
SELECT format('%s_%s.csv', pg_temp.farm(n), to_char(ts, 'YYYYMMDD_HH24MI')), 'uploaded',
       pg_temp.lots_csv(pg_temp.farm(n), 12 + n % 30), ts, ts
  FROM (SELECT ts, row_number() OVER (ORDER BY ts)::int AS n
          FROM generate_series(now() - interval '44 minutes', now() - interval '1 minute', interval '2 minutes') AS ts) AS s;

INSERT INTO etl_alert_history (alert, severity, message, triggered_at)
VALUES ('pipeline_stalled', 'critical', '8 files waiting more than 30 minutes', now() - interval '14 minutes');

INSERT INTO seed_log_extra VALUES
  (now() - interval '45 minutes', 'etl-service', pg_temp.ts(now() - interval '45 minutes') || ' ERROR worker file_id=- connection database connection lost: connection reset by peer (SQLSTATE 08006)'),
  (now() - interval '45 minutes', 'errors', pg_temp.ts(now() - interval '45 minutes') || ' ERROR worker file_id=- connection database connection lost: connection reset by peer (SQLSTATE 08006)'),
  (now() - interval '45 minutes' + interval '1 second', 'etl-service', pg_temp.ts(now() - interval '45 minutes' + interval '1 second') || ' FATAL service worker exited: too many consecutive database errors');
