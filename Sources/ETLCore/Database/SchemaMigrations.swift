/// The ETL schema, as versioned migrations.
///
/// Version 1 creates the tables the seed runbook queries; the index on
/// `etl_file(status, updated_at)` is part of it (scenario 4 of the sandbox drops it on
/// purpose, and the runbook's remediation creates it again with the same name).
public enum SchemaMigrations {
    /// Name of the index scenario 4 removes.
    public static let statusIndexName = "etl_file_status_updated_at_idx"

    /// All migrations, oldest first.
    public static let all: [Migration] = [
        Migration(version: 1, name: "base schema", statements: [
            """
            CREATE TABLE etl_file (
                id bigserial PRIMARY KEY,
                filename text NOT NULL,
                status text NOT NULL DEFAULT 'uploaded'
                    CHECK (status IN ('uploaded', 'processing', 'loaded', 'error')),
                error_message text,
                error_type text CHECK (error_type IN ('validation', 'connection', 'resource', 'data')),
                content text,
                rows_loaded integer NOT NULL DEFAULT 0,
                rows_rejected integer NOT NULL DEFAULT 0,
                attempts integer NOT NULL DEFAULT 0,
                uploaded_at timestamptz NOT NULL DEFAULT now(),
                processing_started_at timestamptz,
                completed_at timestamptz,
                updated_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX \(statusIndexName) ON etl_file (status, updated_at)",
            "CREATE INDEX etl_file_uploaded_at_idx ON etl_file (uploaded_at)",
            "CREATE INDEX etl_file_completed_at_idx ON etl_file (completed_at)",
            """
            CREATE TABLE etl_dead_letter_queue (
                id bigserial PRIMARY KEY,
                error_type text NOT NULL CHECK (error_type IN ('validation', 'connection', 'resource', 'data')),
                entity_type text NOT NULL,
                payload jsonb NOT NULL DEFAULT '{}'::jsonb,
                error_message text NOT NULL,
                file_id bigint REFERENCES etl_file (id) ON DELETE SET NULL,
                resolved boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL DEFAULT now(),
                resolved_at timestamptz
            )
            """,
            "CREATE INDEX etl_dlq_unresolved_idx ON etl_dead_letter_queue (resolved, created_at)",
            "CREATE INDEX etl_dlq_file_idx ON etl_dead_letter_queue (file_id)",
            """
            CREATE TABLE etl_alert_history (
                id bigserial PRIMARY KEY,
                alert text NOT NULL,
                severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
                message text NOT NULL,
                triggered_at timestamptz NOT NULL DEFAULT now(),
                resolved boolean NOT NULL DEFAULT false,
                resolved_at timestamptz
            )
            """,
            "CREATE INDEX etl_alert_active_idx ON etl_alert_history (resolved, triggered_at)",
            """
            CREATE TABLE cattle_lot (
                id bigserial PRIMARY KEY,
                farm text NOT NULL,
                lot text NOT NULL,
                head_count integer NOT NULL CHECK (head_count > 0),
                weight_kg numeric(10, 2) NOT NULL CHECK (weight_kg > 0),
                price numeric(14, 2) NOT NULL CHECK (price >= 0),
                file_id bigint REFERENCES etl_file (id) ON DELETE SET NULL,
                loaded_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX cattle_lot_file_idx ON cattle_lot (file_id)",
        ]),
        // Every WHERE clause of a runbook check has an index behind it, so each answers in
        // well under a second on a year of history (5 M files, 2 M DLQ entries, 100 k
        // alerts); the runbook tests hold the list (CheckIndexTests) and scripts/bench-runbooks
        // shows the plans. In one transaction, so not CONCURRENTLY: on an existing large
        // database create them by hand with CREATE INDEX CONCURRENTLY IF NOT EXISTS first,
        // and this migration then finds them.
        Migration(version: 2, name: "indexes behind the runbook checks", statements: [
            // error-rate, dashboards: files changed in a window, whatever their status.
            "CREATE INDEX IF NOT EXISTS etl_file_updated_at_idx ON etl_file (updated_at)",
            // pending-files, pipeline-flow, stalled-files: the few files still waiting.
            """
            CREATE INDEX IF NOT EXISTS etl_file_pending_idx ON etl_file (uploaded_at)
             WHERE status IN ('uploaded', 'processing')
            """,
            // sla-report availability: the files picked up more than 30 minutes after upload.
            """
            CREATE INDEX IF NOT EXISTS etl_file_late_pickup_idx ON etl_file (uploaded_at)
             WHERE processing_started_at - uploaded_at > interval '30 minutes'
            """,
            // weekly-performance: DLQ entries created in a window (resolved or not).
            "CREATE INDEX IF NOT EXISTS etl_dlq_created_at_idx ON etl_dead_letter_queue (created_at)",
            // monthly cleanup: resolved entries before a cutoff.
            "CREATE INDEX IF NOT EXISTS etl_dlq_resolved_at_idx ON etl_dead_letter_queue (resolved_at) WHERE resolved",
            // dlq-depth, scenario 3: the unresolved entries by type.
            "CREATE INDEX IF NOT EXISTS etl_dlq_unresolved_type_idx ON etl_dead_letter_queue (error_type) WHERE NOT resolved",
            // sla-report recovery time, alert reviews: alerts triggered in a window.
            "CREATE INDEX IF NOT EXISTS etl_alert_triggered_at_idx ON etl_alert_history (triggered_at)",
            // alert-cleared: one alert's open row and its last resolution.
            "CREATE INDEX IF NOT EXISTS etl_alert_name_idx ON etl_alert_history (alert, resolved_at)",
            // monthly cleanup: resolved alerts before a cutoff.
            "CREATE INDEX IF NOT EXISTS etl_alert_resolved_at_idx ON etl_alert_history (resolved_at) WHERE resolved",
        ]),
        // Whose claim a file in `processing` is: the worker completes, fails or releases a
        // file only while its own token is there (ETLStore.claim; ClaimLost).
        Migration(version: 3, name: "claim token", statements: [
            "ALTER TABLE etl_file ADD COLUMN IF NOT EXISTS claim_token text",
        ]),
        // The weekly archive moves finished files, loaded ones included, to etl_file_archive;
        // their lots stay in cattle_lot where the business reads them. With this key's ON
        // DELETE SET NULL, archiving a file would cut its lots' link, so cattle_lot.file_id
        // names a file of etl_file or of etl_file_archive, without a key.
        Migration(version: 4, name: "lots keep their archived file", statements: [
            "ALTER TABLE cattle_lot DROP CONSTRAINT IF EXISTS cattle_lot_file_id_fkey",
        ]),
    ]
}
