-- A busy morning: 100 files arrived 35 to 55 minutes ago and still wait, while the worker
-- (slowed by slow_ms) keeps finishing files. Old files wait, nothing is stopped: not a stall.
INSERT INTO etl_file (filename, status, content, uploaded_at, updated_at)
SELECT format('%s_%s_%s.csv', pg_temp.farm(n), to_char(ts, 'YYYYMMDD_HH24MI'), n), 'uploaded',
       pg_temp.lots_csv(pg_temp.farm(n), 15), ts, ts
  FROM (SELECT n, now() - interval '55 minutes' + n * interval '12 seconds' AS ts
          FROM generate_series(1, 100) AS n) AS s;
