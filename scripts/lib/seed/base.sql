-- The healthy history: one file every 2 minutes for :days days (ending :end_offset minutes
-- ago), ~1.2% failures, DLQ entries, resolved alerts, and the lots of every loaded file
-- (parsed from the stored CSVs for the last 48 hours, generated before that).
SELECT setseed(0.4242);
TRUNCATE cattle_lot, etl_dead_letter_queue, etl_alert_history, etl_file RESTART IDENTITY;
-- The archive weekly-maintenance creates: ids restart above, so an old archive would collide.
DROP TABLE IF EXISTS etl_file_archive;
-- Every scenario starts from the base schema: scenario 4 drops this index, and the runbook
-- that repairs it may not have run.
CREATE INDEX IF NOT EXISTS etl_file_status_updated_at_idx ON etl_file (status, updated_at);
-- A production-size load that stopped half-way left its secondary indexes dropped and their
-- definitions in sandbox_saved_indexes: build them again.
DO $$ DECLARE r record; BEGIN
  IF to_regclass('sandbox_saved_indexes') IS NOT NULL THEN
    FOR r IN EXECUTE 'SELECT indexdef FROM sandbox_saved_indexes' LOOP
      EXECUTE regexp_replace(r.indexdef, '^CREATE (UNIQUE )?INDEX ', 'CREATE \1INDEX IF NOT EXISTS ');
    END LOOP;
    DROP TABLE sandbox_saved_indexes;
  END IF;
END $$;

INSERT INTO etl_file (filename, status, error_type, error_message, content, rows_loaded, rows_rejected, attempts,
                      uploaded_at, processing_started_at, completed_at, updated_at)
SELECT format('%s_%s.csv', farm, to_char(ts, 'YYYYMMDD_HH24MI')),
       CASE WHEN kind = 'ok' THEN 'loaded' ELSE 'error' END,
       CASE WHEN kind = 'ok' THEN NULL ELSE kind END,
       CASE kind
           WHEN 'validation' THEN 'invalid header ''fazenda;lote;cabecas;peso;preco'': expected farm,lot,head_count,weight_kg,price'
           WHEN 'data' THEN format('no valid rows, %s rejected: line 2: weight_kg -450 is out of range 1...2000 kg per head', nrows)
           WHEN 'connection' THEN 'connection refused: upstream storage unavailable (' || :'storage' || ')'
           WHEN 'resource' THEN 'file too large: 9437184 bytes exceeds the 8388608-byte limit'
       END,
       CASE WHEN ts > now() - interval '48 hours' THEN
           CASE kind WHEN 'validation' THEN pg_temp.bad_header_csv(farm, nrows)
                     WHEN 'data' THEN pg_temp.bad_data_csv(farm, nrows)
                     ELSE pg_temp.lots_csv(farm, nrows) END
       END,
       CASE WHEN kind = 'ok' THEN nrows ELSE 0 END,
       CASE WHEN kind = 'ok' AND r2 < 0.01 THEN 1 + floor(r2 * 200)::int ELSE 0 END,
       1,
       ts,
       ts + wait_s * interval '1 second',
       ts + (wait_s + dur_s) * interval '1 second',
       ts + (wait_s + dur_s) * interval '1 second'
  FROM (SELECT ts, pg_temp.farm(floor(random() * 8)::int) AS farm, random() AS r2,
               5 + random() * 25 AS wait_s, 20 + random() * 70 AS dur_s, 10 + floor(random() * 50)::int AS nrows,
               CASE WHEN r < 0.988 THEN 'ok' WHEN r < 0.994 THEN 'validation' WHEN r < 0.998 THEN 'data'
                    WHEN r < 0.9995 THEN 'connection' ELSE 'resource' END AS kind
          FROM (SELECT ts, random() AS r
                  FROM generate_series(now() - make_interval(days => :days),
                                       now() - make_interval(mins => :end_offset) - interval '2 minutes',
                                       interval '2 minutes') AS ts) AS s) AS g;

-- The loaded rows of the last 48 hours, parsed from the stored CSVs.
INSERT INTO cattle_lot (farm, lot, head_count, weight_kg, price, file_id, loaded_at)
SELECT split_part(t.l, ',', 1), split_part(t.l, ',', 2), split_part(t.l, ',', 3)::int,
       split_part(t.l, ',', 4)::numeric, split_part(t.l, ',', 5)::numeric, f.id, f.completed_at
  FROM etl_file AS f
  CROSS JOIN LATERAL regexp_split_to_table(f.content, E'\n') WITH ORDINALITY AS t(l, n)
 WHERE f.status = 'loaded' AND f.content IS NOT NULL AND t.n > 1;

-- One DLQ entry per failed file; settled after two days.
INSERT INTO etl_dead_letter_queue (error_type, entity_type, payload, error_message, file_id, resolved, created_at, resolved_at)
SELECT error_type, 'file', jsonb_build_object('filename', filename, 'attempt', attempts), error_message, id,
       completed_at < now() - interval '2 days', completed_at,
       CASE WHEN completed_at < now() - interval '2 days' THEN completed_at + interval '3 hours' END
  FROM etl_file WHERE status = 'error';

-- Rejected rows of loaded files; settled after a day.
INSERT INTO etl_dead_letter_queue (error_type, entity_type, payload, error_message, file_id, resolved, created_at, resolved_at)
SELECT CASE WHEN i % 2 = 1 THEN 'validation' ELSE 'data' END, 'cattle_lot',
       jsonb_build_object('filename', filename, 'line', rows_loaded + 1 + i,
                          'raw', CASE WHEN i % 2 = 1 THEN format('%s,L9%s,abc,450,12000', split_part(filename, '_', 1), lpad(i::text, 3, '0'))
                                      ELSE format('%s,L9%s,40,-450,12000', split_part(filename, '_', 1), lpad(i::text, 3, '0')) END),
       CASE WHEN i % 2 = 1 THEN 'head_count ''abc'' is not an integer' ELSE 'weight_kg -450 is out of range 1...2000 kg per head' END,
       id, completed_at < now() - interval '1 day', completed_at,
       CASE WHEN completed_at < now() - interval '1 day' THEN completed_at + interval '5 hours' END
  FROM etl_file CROSS JOIN LATERAL generate_series(1, rows_rejected) AS i
 WHERE status = 'loaded' AND rows_rejected > 0;

-- Alerts of the past, all resolved: one about every two days.
INSERT INTO etl_alert_history (alert, severity, message, triggered_at, resolved, resolved_at)
SELECT a.alert, a.severity, a.message, t, true, t + (10 + random() * 80) * interval '1 minute'
  FROM generate_series(now() - make_interval(days => :days) + interval '7 hours', now() - interval '2 days', interval '47 hours') AS t
  JOIN (VALUES (0, 'high_error_rate', 'critical', 'error rate 12.5% in the last hour (4 of 32 files)'),
               (1, 'dlq_backlog', 'warning', '117 unresolved dead letter queue entries'),
               (2, 'pipeline_stalled', 'critical', '14 files waiting more than 30 minutes'),
               (3, 'slow_processing', 'warning', 'mean processing 212.40s in the last hour, baseline 55.10s'))
       AS a(n, alert, severity, message)
    ON a.n = (extract(epoch FROM t)::bigint / 3600) % 4;

-- Connection failures older than two days were re-queued 40 minutes later by an operator
-- (the audit lines) and loaded then: their load resolved their DLQ entry, as etl-core's
-- worker does. The recent ones still wait in error, their entries unresolved.
CREATE TEMP TABLE seed_requeued AS
SELECT id, completed_at AS failed_at FROM etl_file
 WHERE status = 'error' AND error_type = 'connection' AND completed_at < now() - interval '2 days';
UPDATE etl_file f
   SET status = 'loaded', error_type = NULL, error_message = NULL, rows_loaded = 10 + f.id % 50, attempts = 2,
       processing_started_at = r.failed_at + interval '40 minutes 5 seconds',
       completed_at = r.failed_at + interval '41 minutes', updated_at = r.failed_at + interval '41 minutes'
  FROM seed_requeued r WHERE f.id = r.id;
UPDATE etl_dead_letter_queue d SET resolved_at = r.failed_at + interval '41 minutes'
  FROM seed_requeued r WHERE d.file_id = r.id;

-- Every loaded file older than 48 hours has its lots too, as in production (etl-core marks a
-- file loaded only when it inserted rows): rows_loaded generated lots per file.
INSERT INTO cattle_lot (farm, lot, head_count, weight_kg, price, file_id, loaded_at)
SELECT split_part(f.filename, '_', 1), 'L' || n, 10 + (f.id + n) % 90, 300 + (f.id * 7 + n * 13) % 300,
       10000 + (f.id * 31 + n * 17) % 40000, f.id, f.completed_at
  FROM etl_file AS f CROSS JOIN LATERAL generate_series(1, f.rows_loaded) AS n
 WHERE f.status = 'loaded' AND f.content IS NULL;

-- A few operator actions in the audit trail: the re-queues above.
INSERT INTO seed_log_extra
SELECT failed_at + interval '40 minutes', 'audit',
       format('%s AUDIT actor=%s action=files.reprocess target=file:%s result=ok previous_status=error',
              pg_temp.ts(failed_at + interval '40 minutes'), (ARRAY['ana.souza', 'bruno.lima', 'carla.mendes'])[1 + id % 3], id)
  FROM seed_requeued;
