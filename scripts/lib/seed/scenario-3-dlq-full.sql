-- 180 unresolved DLQ entries in the last 12 hours: 60% transient (connection), 40% needing a
-- person: resource (25%: "file too large", the only resource error etl-core emits, which no
-- retry fixes) and validation/data (15%). Every message is one etl-core really writes.
INSERT INTO etl_dead_letter_queue (error_type, entity_type, payload, error_message, file_id, created_at)
SELECT kind,
       CASE WHEN kind IN ('connection', 'resource') THEN 'file' ELSE 'cattle_lot' END,
       CASE WHEN kind IN ('connection', 'resource') THEN jsonb_build_object('filename', f.filename, 'attempt', 1)
            ELSE jsonb_build_object('filename', f.filename, 'line', 2 + i % 40,
                                    'raw', CASE kind WHEN 'validation' THEN format('%s,L%s,abc,450,12000', split_part(f.filename, '_', 1), i)
                                                     ELSE format('%s,L%s,40,-450,12000', split_part(f.filename, '_', 1), i) END) END,
       CASE kind WHEN 'connection' THEN 'connection refused: upstream storage unavailable (storage.conectaboi.internal:9000)'
                 WHEN 'resource' THEN format('file too large: %s bytes exceeds the 8388608-byte limit', 8388608 + 4096 * (1 + i % 997))
                 WHEN 'validation' THEN 'head_count ''abc'' is not an integer'
                 ELSE 'weight_kg -450 is out of range 1...2000 kg per head' END,
       f.id, now() - (i * 4) * interval '1 minute'
  FROM (SELECT i, CASE WHEN i % 20 < 12 THEN 'connection' WHEN i % 20 < 17 THEN 'resource'
                       WHEN i % 20 < 19 THEN 'validation' ELSE 'data' END AS kind
          FROM generate_series(1, 180) AS i) AS g
  JOIN LATERAL (SELECT id, filename FROM etl_file
                 WHERE uploaded_at < now() - (g.i * 4) * interval '1 minute'
                 ORDER BY uploaded_at DESC LIMIT 1) AS f ON true;

INSERT INTO etl_alert_history (alert, severity, message, triggered_at)
VALUES ('dlq_backlog', 'warning', '104 unresolved dead letter queue entries', now() - interval '5 hours');

INSERT INTO seed_log_extra
SELECT d.created_at, t.target,
       format('%s ERROR worker file_id=%s %s %s', pg_temp.ts(d.created_at), d.file_id, d.error_type, d.error_message)
  FROM etl_dead_letter_queue d CROSS JOIN (VALUES ('etl-service'), ('errors')) AS t(target)
 WHERE NOT d.resolved AND d.created_at > now() - interval '12 hours' AND d.error_type IN ('connection', 'resource');
