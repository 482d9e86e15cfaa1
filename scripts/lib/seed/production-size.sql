-- production-size: a busy year of history, the size the runbooks must stay fast on.
-- :files files over :days days ending at :end_epoch (one every ~6 s for 5 M a year), ~1.2 %
-- failures, :dlq DLQ entries (one per failed file plus row-level rejections), :alerts alerts,
-- all settled except the last minutes' DLQ entries. Every value is a function of the row
-- number (no random()), so scripts/lib/seed/production-logs.awk writes the same history to
-- the log files without reading it back.
--
-- Fast load: run as the superuser with session_replication_role = replica (no FK triggers),
-- the secondary indexes dropped during the load and rebuilt after it, one INSERT ... SELECT
-- generate_series per table, then ANALYZE.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET session_replication_role = replica;
SET maintenance_work_mem = '512MB';
SET work_mem = '64MB';
SET synchronous_commit = off;

TRUNCATE cattle_lot, etl_dead_letter_queue, etl_alert_history, etl_file RESTART IDENTITY;
DROP TABLE IF EXISTS etl_file_archive;
CREATE INDEX IF NOT EXISTS etl_file_status_updated_at_idx ON etl_file (status, updated_at);

-- Secondary indexes off during the load, rebuilt below. Their definitions are kept in a real
-- table until they are rebuilt, so a load that fails half-way leaves them for the next one.
CREATE TABLE IF NOT EXISTS sandbox_saved_indexes (indexname text PRIMARY KEY, indexdef text NOT NULL);
ALTER TABLE sandbox_saved_indexes OWNER TO etl;
INSERT INTO sandbox_saved_indexes
SELECT indexname, indexdef FROM pg_indexes
 WHERE schemaname = current_schema()
   AND tablename IN ('etl_file', 'etl_dead_letter_queue', 'etl_alert_history', 'cattle_lot')
   AND indexname NOT LIKE '%\_pkey'
ON CONFLICT (indexname) DO NOTHING;
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT indexname FROM sandbox_saved_indexes LOOP EXECUTE format('DROP INDEX IF EXISTS %I', r.indexname); END LOOP;
END $$;

\echo files
INSERT INTO etl_file (id, filename, status, error_type, error_message, rows_loaded, rows_rejected, attempts,
                      uploaded_at, processing_started_at, completed_at, updated_at)
SELECT i, format('%s_%s_%s.csv', pg_temp.farm((i % 8)::int), to_char(ts, 'YYYYMMDD_HH24MISS'), i),
       CASE WHEN kind = 'ok' THEN 'loaded' ELSE 'error' END,
       CASE WHEN kind = 'ok' THEN NULL ELSE kind END,
       CASE kind
           WHEN 'validation' THEN 'invalid header ''fazenda;lote;cabecas;peso;preco'': expected farm,lot,head_count,weight_kg,price'
           WHEN 'data' THEN format('no valid rows, %s rejected: line 2: weight_kg -450 is out of range 1...2000 kg per head', nrows)
           WHEN 'connection' THEN 'connection refused: upstream storage unavailable (storage.conectaboi.internal:9000)'
           WHEN 'resource' THEN 'file too large: 9437184 bytes exceeds the 8388608-byte limit'
       END,
       CASE WHEN kind = 'ok' THEN nrows ELSE 0 END,
       CASE WHEN kind = 'ok' AND (i * 101) % 1000 < 10 THEN 1 + i % 5 ELSE 0 END,
       1, ts, ts + wait_s * interval '1 second', ts + (wait_s + dur_s) * interval '1 second', ts + (wait_s + dur_s) * interval '1 second'
  FROM (SELECT i, to_timestamp(floor(:end_epoch - :days * 86400 + i * (:days * 86400.0::float8 / :files))) AS ts,
               5 + (i * 31) % 25 AS wait_s, 20 + (i * 17) % 70 AS dur_s, 10 + (i * 13) % 50 AS nrows,
               CASE WHEN (i * 7919) % 10007 < 9888 THEN 'ok' WHEN (i * 7919) % 10007 < 9948 THEN 'validation'
                    WHEN (i * 7919) % 10007 < 9988 THEN 'data' WHEN (i * 7919) % 10007 < 10002 THEN 'connection'
                    ELSE 'resource' END AS kind
          FROM generate_series(1::bigint, :files) AS i) AS g;
SELECT setval('etl_file_id_seq', :files);

\echo content and cattle lots of the last 24 hours
UPDATE etl_file
   SET content = CASE error_type WHEN 'validation' THEN pg_temp.bad_header_csv(split_part(filename, '_', 1), (10 + (id * 13) % 50)::int)
                                 WHEN 'data' THEN pg_temp.bad_data_csv(split_part(filename, '_', 1), (10 + (id * 13) % 50)::int)
                                 ELSE pg_temp.lots_csv(split_part(filename, '_', 1), (10 + (id * 13) % 50)::int) END
 WHERE uploaded_at > to_timestamp(:end_epoch) - interval '24 hours';
INSERT INTO cattle_lot (farm, lot, head_count, weight_kg, price, file_id, loaded_at)
SELECT split_part(t.l, ',', 1), split_part(t.l, ',', 2), split_part(t.l, ',', 3)::int,
       split_part(t.l, ',', 4)::numeric, split_part(t.l, ',', 5)::numeric, f.id, f.completed_at
  FROM etl_file AS f
  CROSS JOIN LATERAL regexp_split_to_table(f.content, E'\n') WITH ORDINALITY AS t(l, n)
 WHERE f.status = 'loaded' AND f.content IS NOT NULL AND t.n > 1;

\echo dead letter queue
-- One entry per failed file, settled 3 hours later (unless it failed in the last 10 minutes).
INSERT INTO etl_dead_letter_queue (error_type, entity_type, payload, error_message, file_id, resolved, created_at, resolved_at)
SELECT error_type, 'file', jsonb_build_object('filename', filename, 'attempt', attempts), error_message, id,
       completed_at < to_timestamp(:end_epoch) - interval '10 minutes', completed_at,
       CASE WHEN completed_at < to_timestamp(:end_epoch) - interval '10 minutes' THEN completed_at + interval '3 hours' END
  FROM etl_file WHERE status = 'error';
-- Row-level rejections up to :dlq entries in all, spread over the year, settled after 5 hours
-- (unless created in the last 10 minutes).
INSERT INTO etl_dead_letter_queue (error_type, entity_type, payload, error_message, file_id, resolved, created_at, resolved_at)
SELECT CASE WHEN k % 2 = 1 THEN 'validation' ELSE 'data' END, 'cattle_lot',
       jsonb_build_object('line', 2 + k % 40, 'raw', CASE WHEN k % 2 = 1 THEN 'fazenda,L9,abc,450,12000' ELSE 'fazenda,L9,40,-450,12000' END),
       CASE WHEN k % 2 = 1 THEN 'head_count ''abc'' is not an integer' ELSE 'weight_kg -450 is out of range 1...2000 kg per head' END,
       fid, created < to_timestamp(:end_epoch) - interval '10 minutes', created,
       CASE WHEN created < to_timestamp(:end_epoch) - interval '10 minutes' THEN created + interval '5 hours' END
  FROM (SELECT :dlq - count(*) AS m FROM etl_file WHERE status = 'error') AS n
  CROSS JOIN LATERAL generate_series(1, n.m) AS k
  CROSS JOIN LATERAL (SELECT 1 + (k::bigint * (:files - 1)) / n.m AS fid) AS f
  CROSS JOIN LATERAL (SELECT to_timestamp(floor(:end_epoch - :days * 86400 + fid * (:days * 86400.0::float8 / :files)))
                             + (25 + (fid * 31) % 25 + (fid * 17) % 70) * interval '1 second' AS created) AS c;

\echo alerts
INSERT INTO etl_alert_history (alert, severity, message, triggered_at, resolved, resolved_at)
SELECT a.alert, a.severity, a.message, t, true, least(t + (10 + j % 80) * interval '1 minute', to_timestamp(:end_epoch))
  FROM generate_series(1::bigint, :alerts) AS j
  CROSS JOIN LATERAL (SELECT to_timestamp(floor(:end_epoch - :days * 86400 + j * (:days * 86400.0::float8 / :alerts)))
                             - interval '2 hours' AS t) AS ts
  JOIN (VALUES (0, 'high_error_rate', 'critical', 'error rate 12.5% in the last hour (4 of 32 files)'),
               (1, 'dlq_backlog', 'warning', '117 unresolved dead letter queue entries'),
               (2, 'pipeline_stalled', 'critical', '14 files waiting more than 30 minutes, none finished in the last 30 minutes'),
               (3, 'slow_processing', 'warning', 'mean processing 212.40s in the last hour, baseline 55.10s'))
       AS a(n, alert, severity, message) ON a.n = j % 4;

\echo indexes
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT indexdef FROM sandbox_saved_indexes LOOP
    EXECUTE regexp_replace(r.indexdef, '^CREATE (UNIQUE )?INDEX ', 'CREATE \1INDEX IF NOT EXISTS ');
  END LOOP;
END $$;
DROP TABLE sandbox_saved_indexes;
RESET session_replication_role;
\echo vacuum analyze
-- As autovacuum would have by now: statistics, and the visibility map index-only scans need.
VACUUM (ANALYZE) etl_file;
VACUUM (ANALYZE) etl_dead_letter_queue;
VACUUM (ANALYZE) etl_alert_history;
VACUUM (ANALYZE) cattle_lot;
