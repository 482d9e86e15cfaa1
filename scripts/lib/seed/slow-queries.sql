-- What a dashboard runs every few seconds; without etl_file(status, updated_at) each is a
-- sequential scan. Recorded in pg_stat_statements for scenario 4's diagnosis.
SELECT count(*) FROM etl_file WHERE status = 'error' AND updated_at > now() - interval '4 hours' \g
SELECT count(*) FROM etl_file WHERE status = 'error' AND updated_at > now() - interval '4 hours' \g
SELECT count(*) FROM etl_file WHERE status = 'error' AND updated_at > now() - interval '4 hours' \g
SELECT id FROM etl_file WHERE status = 'uploaded' ORDER BY updated_at LIMIT 20 \g
SELECT id FROM etl_file WHERE status = 'uploaded' ORDER BY updated_at LIMIT 20 \g
SELECT status, count(*) FROM etl_file WHERE updated_at > now() - interval '24 hours' GROUP BY status \g
SELECT status, count(*) FROM etl_file WHERE updated_at > now() - interval '24 hours' GROUP BY status \g
