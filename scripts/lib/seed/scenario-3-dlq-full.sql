-- 180 unresolved DLQ entries over the last day and a half (nobody resolved them), as etl-core
-- writes them: 60% transient (connection) and 25% resource ("file too large", the only
-- resource error etl-core emits, which no retry fixes) are whole files that failed: the file
-- is in error with that error, nothing of it in cattle_lot, one DLQ entry (entity file)
-- created as it failed. 15% validation/data are rejected rows of files that loaded (entity
-- cattle_lot). Every 5th loaded file from 37 h to 1 h ago, so the last hour stays healthy.
CREATE TEMP TABLE dlq_seed AS
SELECT g.i, g.kind, f.id AS file_id, f.filename, f.completed_at,
       CASE g.kind WHEN 'connection' THEN 'connection refused: upstream storage unavailable (' || :'storage' || ')'
                   WHEN 'resource' THEN format('file too large: %s bytes exceeds the 8388608-byte limit', 8388608 + 4096 * (1 + g.i % 997))
                   WHEN 'validation' THEN 'head_count ''abc'' is not an integer'
                   ELSE 'weight_kg -450 is out of range 1...2000 kg per head' END AS message
  FROM (SELECT i, CASE WHEN i % 20 < 12 THEN 'connection' WHEN i % 20 < 17 THEN 'resource'
                       WHEN i % 20 < 19 THEN 'validation' ELSE 'data' END AS kind
          FROM generate_series(1, 180) AS i) AS g
  JOIN (SELECT id, filename, completed_at, row_number() OVER (ORDER BY uploaded_at DESC) AS rn
          FROM etl_file
         WHERE status = 'loaded' AND uploaded_at BETWEEN now() - interval '37 hours' AND now() - interval '1 hour') AS f
    ON f.rn = 1 + 5 * (g.i - 1);

DELETE FROM cattle_lot WHERE file_id IN (SELECT file_id FROM dlq_seed WHERE kind IN ('connection', 'resource'));
UPDATE etl_file f
   SET status = 'error', error_type = s.kind, error_message = s.message, rows_loaded = 0, rows_rejected = 0
  FROM dlq_seed s
 WHERE f.id = s.file_id AND s.kind IN ('connection', 'resource');
UPDATE etl_file f SET rows_rejected = f.rows_rejected + 1
  FROM dlq_seed s
 WHERE f.id = s.file_id AND s.kind IN ('validation', 'data');

INSERT INTO etl_dead_letter_queue (error_type, entity_type, payload, error_message, file_id, created_at)
SELECT s.kind,
       CASE WHEN s.kind IN ('connection', 'resource') THEN 'file' ELSE 'cattle_lot' END,
       CASE WHEN s.kind IN ('connection', 'resource') THEN jsonb_build_object('filename', s.filename, 'attempt', 1)
            ELSE jsonb_build_object('filename', s.filename, 'line', 2 + s.i % 40,
                                    'raw', CASE s.kind WHEN 'validation' THEN format('%s,L%s,abc,450,12000', split_part(s.filename, '_', 1), s.i)
                                                       ELSE format('%s,L%s,40,-450,12000', split_part(s.filename, '_', 1), s.i) END) END,
       s.message, s.file_id, s.completed_at
  FROM dlq_seed s;

INSERT INTO etl_alert_history (alert, severity, message, triggered_at)
VALUES ('dlq_backlog', 'warning', '104 unresolved dead letter queue entries', now() - interval '5 hours');
