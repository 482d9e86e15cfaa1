-- The worker stopped claiming 40 minutes ago (etl-core starts with the worker_stopped fault):
-- files arrived since and wait.
INSERT INTO etl_file (filename, status, content, uploaded_at, updated_at)
SELECT format('%s_%s.csv', pg_temp.farm(n), to_char(ts, 'YYYYMMDD_HH24MI')), 'uploaded',
       pg_temp.lots_csv(pg_temp.farm(n), 15), ts, ts
  FROM (SELECT ts, row_number() OVER (ORDER BY ts)::int AS n
          FROM generate_series(now() - interval '40 minutes', now() - interval '1 minute', interval '3 minutes') AS ts) AS s;
