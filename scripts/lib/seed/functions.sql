-- Helpers for the sandbox seed (session-local: pg_temp). Output is discarded until logs.sql.
\o /dev/null
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- A valid cattle-lot CSV of nrows lots.
CREATE FUNCTION pg_temp.lots_csv(farm text, nrows int) RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT 'farm,lot,head_count,weight_kg,price' || E'\n' ||
         string_agg(format('%s,L%s,%s,%s,%s', farm, lpad(i::text, 4, '0'), 10 + floor(random() * 90)::int,
                           round((250 + random() * 300)::numeric, 1), round((8000 + random() * 60000)::numeric, 2)),
                    E'\n' ORDER BY i)
    FROM generate_series(1, nrows) AS i
$$;

-- A CSV exported with the wrong separator and header (a validation error).
CREATE FUNCTION pg_temp.bad_header_csv(farm text, nrows int) RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT 'fazenda;lote;cabecas;peso;preco' || E'\n' ||
         string_agg(format('%s;L%s;%s;%s;%s', farm, lpad(i::text, 4, '0'), 10 + floor(random() * 90)::int, 450, 12000), E'\n' ORDER BY i)
    FROM generate_series(1, nrows) AS i
$$;

-- A CSV whose every row has an impossible weight (a data error).
CREATE FUNCTION pg_temp.bad_data_csv(farm text, nrows int) RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT 'farm,lot,head_count,weight_kg,price' || E'\n' ||
         string_agg(format('%s,L%s,%s,%s,%s', farm, lpad(i::text, 4, '0'), 10 + floor(random() * 90)::int, -450, 12000), E'\n' ORDER BY i)
    FROM generate_series(1, nrows) AS i
$$;

CREATE FUNCTION pg_temp.ts(t timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT to_char(t, 'YYYY-MM-DD HH24:MI:SS')
$$;

CREATE FUNCTION pg_temp.farm(n int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT (ARRAY['fazenda-boa-vista', 'fazenda-santa-rita', 'agro-pantanal', 'fazenda-esperanca',
                'sitio-tres-irmaos', 'fazenda-rio-verde', 'agropecuaria-cerrado', 'fazenda-sao-jose'])[1 + n % 8]
$$;

-- Extra log lines a scenario wants (target: etl-service, errors, metrics, audit).
CREATE TEMP TABLE seed_log_extra (ts timestamptz, target text, line text);
