/// The ledger's schema, `runbook` in the team's PostgreSQL, as numbered migrations. Each runs
/// once, in its own transaction, under an advisory lock, so `ledger init` is idempotent and
/// safe to run twice at once; a ledger migrated by a newer binary (a version this one does not
/// know) is refused, never changed.
///
/// Tables, and which issue fills them:
///
/// * `sources`, `records`: every audit record of every local log (a *source*: one operator's
///   log on one machine, named by the hash of its first record), exactly once by
///   `(source_id, seq)`, the line as written so its hash can be checked. Append-only: a
///   trigger refuses `UPDATE` and `DELETE` (a superuser can still bypass it; `audit verify
///   --ledger` is what proves nothing changed).
/// * `runs`: one row per run, kept by a trigger from the `run.started` and `run.ended`
///   records as they arrive (what `runbook runs` lists).
/// * `checkpoints`: signed chain heads, per source.
/// * `approval_requests`, `approval_decisions`: four-eyes approvals bound to a plan digest.
/// * `incidents`, `incident_events`: an incident's life and timeline.
/// * `approval_uses`, `runner_requests`, `runner_policies`: the runner's (issue 19): each
///   approval used once, each signed run request executed once, each pinned policy.
/// * `probes`: etl-core's /health, minute by minute (`runbook probe`), for availability.
///
/// New records are announced on the `runbook_events` channel (`LISTEN/NOTIFY`), one
/// notification per run and statement, for live views.
public enum LedgerSchema {
    /// The PostgreSQL schema that holds the ledger.
    public static let name = "runbook"

    /// The channel on which every approval decision is announced (`NOTIFY`, the request id as
    /// payload; schema 3's `approval_decided` trigger): a run waiting for approval `LISTEN`s on it.
    public static let approvalsChannel = "runbook_approvals"

    /// The highest version this binary knows.
    public static var currentVersion: Int { migrations.count }

    /// The migrations, version `i + 1` at index `i`. Never edit one that shipped: add one.
    static let migrations: [[String]] = [
        // 1: records, runs, checkpoints; approvals and incidents.
        [
            """
            CREATE TABLE runbook.sources (
                source_id   text PRIMARY KEY,
                host        text NOT NULL,
                path        text NOT NULL,
                first_seen  timestamptz NOT NULL DEFAULT now(),
                last_seen   timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE runbook.records (
                source_id   text NOT NULL REFERENCES runbook.sources,
                seq         bigint NOT NULL,
                hash        text NOT NULL,
                prev        text NOT NULL,
                run_id      text NOT NULL,
                event       text NOT NULL,
                ts          timestamptz NOT NULL,
                line        text NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (source_id, seq)
            )
            """,
            "CREATE INDEX records_run_idx ON runbook.records (run_id)",
            """
            CREATE TABLE runbook.runs (
                run_id       text PRIMARY KEY,
                source_id    text NOT NULL,
                runbook      text,
                environment  text,
                mode         text,
                operator     text,
                host         text,
                run_lock     text,
                inputs       jsonb,
                started_at   timestamptz,
                ended_at     timestamptz,
                status       text,
                exit_code    int,
                duration_ms  bigint
            )
            """,
            "CREATE INDEX runs_started_at_idx ON runbook.runs (started_at DESC)",
            "CREATE INDEX runs_open_idx ON runbook.runs (started_at) WHERE ended_at IS NULL",
            """
            CREATE TABLE runbook.checkpoints (
                source_id   text NOT NULL REFERENCES runbook.sources,
                seq         bigint NOT NULL,
                hash        text NOT NULL,
                previous    text NOT NULL,
                principal   text NOT NULL,
                run_id      text,
                signed_at   text NOT NULL,
                signature   text NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (source_id, seq)
            )
            """,
            """
            CREATE TABLE runbook.approval_requests (
                id           text PRIMARY KEY,
                run_id       text NOT NULL,
                runbook      text NOT NULL,
                environment  text NOT NULL,
                action       text NOT NULL,
                risk         text NOT NULL,
                requester    text NOT NULL,
                digest       text NOT NULL,
                plan         jsonb NOT NULL,
                required     int NOT NULL DEFAULT 1,
                status       text NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'used', 'stale')),
                created_at   timestamptz NOT NULL DEFAULT now(),
                expires_at   timestamptz NOT NULL
            )
            """,
            "CREATE INDEX approval_requests_pending_idx ON runbook.approval_requests (environment, created_at) WHERE status = 'pending'",
            """
            CREATE TABLE runbook.approval_decisions (
                request_id  text NOT NULL REFERENCES runbook.approval_requests,
                approver    text NOT NULL,
                decision    text NOT NULL CHECK (decision IN ('approved', 'denied')),
                comment     text,
                via         text NOT NULL DEFAULT 'cli',
                signature   text NOT NULL,
                decided_at  timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (request_id, approver)
            )
            """,
            """
            CREATE TABLE runbook.incidents (
                id                text PRIMARY KEY,
                environment       text NOT NULL,
                title             text NOT NULL,
                severity          text NOT NULL,
                status            text NOT NULL DEFAULT 'open',
                opened_by         text NOT NULL,
                started_at        timestamptz NOT NULL,
                resolved_at       timestamptz,
                escalation_level  int NOT NULL DEFAULT 0,
                last_update_at    timestamptz NOT NULL DEFAULT now(),
                root_cause        text,
                resolution        text,
                prevention        text,
                postmortem_reminded_at timestamptz
            )
            """,
            "CREATE INDEX incidents_open_idx ON runbook.incidents (environment) WHERE resolved_at IS NULL",
            """
            CREATE TABLE runbook.incident_events (
                id           bigserial PRIMARY KEY,
                incident_id  text NOT NULL REFERENCES runbook.incidents,
                at           timestamptz NOT NULL DEFAULT now(),
                kind         text NOT NULL,
                author       text NOT NULL,
                message      text NOT NULL,
                run_id       text
            )
            """,
            "CREATE INDEX incident_events_incident_idx ON runbook.incident_events (incident_id, at)",
            // Records and checkpoints are append-only.
            """
            CREATE FUNCTION runbook.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'runbook.% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$
            """,
            """
            CREATE TRIGGER records_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON runbook.records
                FOR EACH STATEMENT EXECUTE FUNCTION runbook.refuse_change()
            """,
            """
            CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON runbook.checkpoints
                FOR EACH STATEMENT EXECUTE FUNCTION runbook.refuse_change()
            """,
            // The runs projection and the live-view notification, once per inserting statement.
            """
            CREATE FUNCTION runbook.records_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO runbook.runs AS r (run_id, source_id, runbook, environment, mode, operator, host, run_lock, inputs, started_at)
                SELECT n.run_id, n.source_id, j->>'runbook', j->>'environment', j->>'mode', j->>'operator', j->>'host',
                       j->>'run_lock', j->'inputs', n.ts
                  FROM new_records n CROSS JOIN LATERAL (SELECT n.line::jsonb AS j) l
                 WHERE n.event = 'run.started'
                ON CONFLICT (run_id) DO UPDATE
                   SET runbook = EXCLUDED.runbook, environment = EXCLUDED.environment, mode = EXCLUDED.mode,
                       operator = EXCLUDED.operator, host = EXCLUDED.host, run_lock = EXCLUDED.run_lock,
                       inputs = EXCLUDED.inputs, started_at = EXCLUDED.started_at;
                INSERT INTO runbook.runs AS r (run_id, source_id, ended_at, status, exit_code, duration_ms)
                SELECT n.run_id, n.source_id, n.ts, j->>'status', (j->>'exit_code')::int, (j->>'duration_ms')::bigint
                  FROM new_records n CROSS JOIN LATERAL (SELECT n.line::jsonb AS j) l
                 WHERE n.event = 'run.ended'
                ON CONFLICT (run_id) DO UPDATE
                   SET ended_at = EXCLUDED.ended_at, status = EXCLUDED.status, exit_code = EXCLUDED.exit_code,
                       duration_ms = EXCLUDED.duration_ms;
                PERFORM pg_notify('runbook_events', json_build_object('run_id', run_id, 'seq', max(seq), 'event', (array_agg(event ORDER BY seq DESC))[1])::text)
                   FROM new_records GROUP BY run_id;
                RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER records_inserted AFTER INSERT ON runbook.records
                REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION runbook.records_inserted()
            """,
        ],
        // 2: one seq can be signed more than once (a run's checkpoint, then `runbook audit
        // checkpoint` with nothing written between, or a second person's): a checkpoint is
        // keyed by its link in its log's chain of checkpoints, not by the seq alone.
        [
            "ALTER TABLE runbook.checkpoints DROP CONSTRAINT checkpoints_pkey",
            "ALTER TABLE runbook.checkpoints ADD PRIMARY KEY (source_id, seq, previous)",
        ],
        // 3: four-eyes approvals are signed by their requester (decisions already carry the
        // approver's signature); a waiting run hears decisions on `runbook_approvals`.
        [
            "ALTER TABLE runbook.approval_requests ADD COLUMN signature text NOT NULL DEFAULT ''",
            "CREATE INDEX approval_decisions_request_idx ON runbook.approval_decisions (request_id, decided_at)",
            """
            CREATE FUNCTION runbook.approval_decided() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('runbook_approvals', NEW.request_id);
                RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER approval_decided AFTER INSERT ON runbook.approval_decisions
                FOR EACH ROW EXECUTE FUNCTION runbook.approval_decided()
            """,
        ],
        // 4: the incident's life (issue 12). An incident's declared impact; an event's facts
        // (a run's runbook and status, an escalation's level and contacts, where a message was
        // delivered) and its key: what is posted once (an escalation level, the reminder of one
        // silence, the post-mortem reminder) is one row per incident and key, so two `incident
        // remind` at once, or a run and a reminder, cannot post it twice. Timeline changes are
        // announced on `runbook_incidents` for live views.
        [
            "ALTER TABLE runbook.incidents ADD COLUMN impact text NOT NULL DEFAULT ''",
            "ALTER TABLE runbook.incident_events ADD COLUMN key text",
            "ALTER TABLE runbook.incident_events ADD COLUMN details jsonb",
            "CREATE UNIQUE INDEX incident_events_key_idx ON runbook.incident_events (incident_id, key) WHERE key IS NOT NULL",
            "CREATE INDEX incidents_started_idx ON runbook.incidents (started_at DESC)",
            """
            CREATE FUNCTION runbook.incident_event_added() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('runbook_incidents', NEW.incident_id);
                RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER incident_event_added AFTER INSERT ON runbook.incident_events
                FOR EACH ROW EXECUTE FUNCTION runbook.incident_event_added()
            """,
        ],
        // 5: the web console. Its run list is paged newest first (keyset, by the same
        // expression it sorts on) and filtered by runbook, environment, operator or status, over
        // 100,000 runs and more; a decision made in the console names the key that signed it
        // (the console's principal; NULL: the approver's own).
        [
            "CREATE INDEX runs_order_idx ON runbook.runs ((coalesce(started_at, ended_at)) DESC, run_id DESC)",
            "CREATE INDEX runs_runbook_idx ON runbook.runs (runbook, (coalesce(started_at, ended_at)) DESC, run_id DESC)",
            "CREATE INDEX runs_environment_idx ON runbook.runs (environment, (coalesce(started_at, ended_at)) DESC, run_id DESC)",
            "CREATE INDEX runs_operator_idx ON runbook.runs (operator, (coalesce(started_at, ended_at)) DESC, run_id DESC)",
            "CREATE INDEX runs_status_idx ON runbook.runs (status, (coalesce(started_at, ended_at)) DESC, run_id DESC)",
            "ALTER TABLE runbook.approval_decisions ADD COLUMN signer text",
        ],
        // 6: the team's runner (issue 19). A request is used once, by one run, in its own row
        // (not only a status a writer can set back); each signed run request is executed once
        // across replicas (its nonce, unique); each runner start records the digest of the
        // policy it pinned (runbooks, environments, allowed_signers), so an auditor knows what
        // was in force.
        [
            """
            CREATE TABLE runbook.approval_uses (
                request_id  text PRIMARY KEY REFERENCES runbook.approval_requests,
                run_id      text NOT NULL,
                requester   text NOT NULL,
                used_at     timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE runbook.runner_requests (
                nonce        text PRIMARY KEY,
                principal    text NOT NULL,
                runbook      text NOT NULL,
                environment  text NOT NULL,
                mode         text NOT NULL,
                signed_at    timestamptz NOT NULL,
                received_at  timestamptz NOT NULL DEFAULT now(),
                replica      text NOT NULL,
                run_id       text,
                request      text NOT NULL,
                signature    text NOT NULL
            )
            """,
            """
            CREATE TABLE runbook.runner_policies (
                id           bigserial PRIMARY KEY,
                replica      text NOT NULL,
                host         text NOT NULL,
                environment  text NOT NULL,
                principal    text NOT NULL,
                digest       text NOT NULL,
                files        jsonb NOT NULL,
                started_at   timestamptz NOT NULL DEFAULT now()
            )
            """,
        ],
        // 7: availability, and an incident's affected services (issue 21). `runbook probe --env E`,
        // run every minute by a timer or the runner, records whether etl-core's /health answered ok, one row per environment
        // and minute of the ledger's clock (several probers in one minute: down wins). A minute
        // without a row is unknown, never up: sla-report reads this table (`database: ledger`).
        [
            """
            CREATE TABLE runbook.probes (
                environment text NOT NULL,
                minute      timestamptz NOT NULL,
                up          boolean NOT NULL,
                detail      text NOT NULL,
                probed_at   timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (environment, minute)
            )
            """,
            // The declaration's "Affected Services", as the incident declares them.
            "ALTER TABLE runbook.incidents ADD COLUMN affected_services text NOT NULL DEFAULT ''",
        ],
        // 8: Alertmanager's notifications (issue 20). One incident per alert group
        // (`alert_groups`, claimed once by whoever opens it), one row per alert of a group
        // (group key and fingerprint: the unique key that makes a retried or concurrent
        // notification act once), with what its last diagnosis was run with and when.
        [
            """
            CREATE TABLE runbook.alert_groups (
                group_key    text PRIMARY KEY,
                environment  text NOT NULL,
                incident_id  text REFERENCES runbook.incidents,
                claimed_at   timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE runbook.alerts (
                group_key     text NOT NULL,
                fingerprint   text NOT NULL,
                alertname     text NOT NULL,
                runbook       text NOT NULL,
                status        text NOT NULL,
                inputs_key    text NOT NULL,
                starts_at     text NOT NULL,
                labels        jsonb NOT NULL,
                diagnosed_at  timestamptz,
                updated_at    timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (group_key, fingerprint)
            )
            """,
        ],
        // 9: standing approvals (issue 21). A standing approval is an approval request whose
        // run_id is 'standing' and whose plan is {"standing": ...}; each scheduled run's gate it
        // passes is one row here, written in the transaction of the action's start record.
        [
            """
            CREATE TABLE runbook.standing_uses (
                request_id  text NOT NULL REFERENCES runbook.approval_requests,
                run_id      text NOT NULL,
                step        text NOT NULL,
                used_at     timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (run_id, step)
            )
            """,
        ],
    ]
}
