-- The ledger's availability history (runbook.probes), as `runbook probe --env sandbox` run
-- every minute by a timer writes it: one row per minute of the ledger's clock over :days days,
-- up (HTTP 200 ok) except the last :down_minutes, when etl-core did not answer. Run against
-- the ledger as its owner; an empty history (days 0) is a team that never probed.
DELETE FROM runbook.probes WHERE environment = :'env_name';
INSERT INTO runbook.probes (environment, minute, up, detail, probed_at)
SELECT :'env_name', m, m < date_trunc('minute', now()) - make_interval(mins => :down_minutes),
       CASE WHEN m < date_trunc('minute', now()) - make_interval(mins => :down_minutes) THEN 'HTTP 200 ok'
            ELSE 'no answer: connection refused' END,
       m + interval '2 seconds'
  FROM generate_series(date_trunc('minute', now()) - make_interval(days => :days),
                       date_trunc('minute', now()) - interval '1 minute', interval '1 minute') AS m
 WHERE :days > 0;
