-- Turn enough of the last 24 hours' loaded files into failures that the success rate is
-- about :target_success percent (validation, data and connection errors mixed).
CREATE TEMP TABLE extra_errors AS
SELECT id, CASE WHEN random() < 0.5 THEN 'validation' WHEN random() < 0.6 THEN 'data' ELSE 'connection' END AS kind
  FROM etl_file
 WHERE status = 'loaded' AND uploaded_at > now() - interval '24 hours'
   AND random() < greatest(0, (1 - :target_success / 100.0) - 0.012) / 0.988;

DELETE FROM cattle_lot WHERE file_id IN (SELECT id FROM extra_errors);
UPDATE etl_file f
   SET status = 'error', error_type = e.kind, rows_loaded = 0, rows_rejected = 0,
       error_message = CASE e.kind
           WHEN 'validation' THEN 'invalid header ''fazenda;lote;cabecas;peso;preco'': expected farm,lot,head_count,weight_kg,price'
           WHEN 'data' THEN 'no valid rows, 20 rejected: line 2: weight_kg -450 is out of range 1...2000 kg per head'
           ELSE 'connection refused: upstream storage unavailable (' || :'storage' || ')' END,
       content = CASE e.kind WHEN 'validation' THEN pg_temp.bad_header_csv(split_part(f.filename, '_', 1), 20)
                             WHEN 'data' THEN pg_temp.bad_data_csv(split_part(f.filename, '_', 1), 20)
                             ELSE f.content END
  FROM extra_errors e WHERE f.id = e.id;

INSERT INTO etl_dead_letter_queue (error_type, entity_type, payload, error_message, file_id, created_at)
SELECT error_type, 'file', jsonb_build_object('filename', filename, 'attempt', attempts), error_message, id, completed_at
  FROM etl_file WHERE id IN (SELECT id FROM extra_errors);
