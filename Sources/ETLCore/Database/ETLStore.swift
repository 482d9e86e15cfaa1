import Foundation
import Logging
import PostgresNIO

/// Every SQL statement of the service, over one `PostgresClient`.
///
/// Values always travel as bind parameters (`PostgresQuery` interpolation). Listing queries
/// return JSON rendered by PostgreSQL itself (`json_agg`), so timestamps are ISO 8601 with
/// their offset and numerics keep their scale.
public struct ETLStore: Sendable {
    /// The client; it must be running (`run()`) for queries to proceed.
    public let client: PostgresClient
    let logger: Logger

    /// Creates a store over `client`.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    // MARK: files

    /// Inserts an uploaded file; returns its id.
    public func upload(filename: String, content: String) async throws -> Int64 {
        let rows = try await client.query(
            "INSERT INTO etl_file (filename, content) VALUES (\(filename), \(content)) RETURNING id",
            logger: logger
        )
        var id: Int64 = 0
        for try await value in rows.decode(Int64.self) { id = value }
        return id
    }

    /// Claims up to `limit` uploaded files, oldest first, with `FOR UPDATE SKIP LOCKED` so
    /// that several workers never take the same file. Each claim writes a fresh token into
    /// `claim_token`: the worker can complete, fail or release a file only while the token is
    /// still there (a re-queue and a later claim by another worker replace it).
    public func claim(limit: Int) async throws -> [ClaimedFile] {
        let token = UUID().uuidString.lowercased()
        let rows = try await client.query(
            """
            UPDATE etl_file AS f
               SET status = 'processing', processing_started_at = clock_timestamp(),
                   updated_at = clock_timestamp(), attempts = f.attempts + 1,
                   completed_at = NULL, error_type = NULL, error_message = NULL, claim_token = \(token)
              FROM (SELECT id FROM etl_file
                     WHERE status = 'uploaded'
                     ORDER BY updated_at, id
                     LIMIT \(limit)
                     FOR UPDATE SKIP LOCKED) AS picked
             WHERE f.id = picked.id
            RETURNING f.id, f.filename, f.content, f.attempts
            """,
            logger: logger
        )
        var files: [ClaimedFile] = []
        for try await (id, filename, content, attempts) in rows.decode((Int64, String, String?, Int).self) {
            files.append(ClaimedFile(id: id, filename: filename, content: content, attempts: attempts, claimToken: token))
        }
        return files.sorted { $0.id < $1.id }
    }

    /// Puts claimed but unprocessed files back in the queue, as they were: the claim's
    /// attempt is given back, since the file was never started (used at shutdown, and when
    /// the worker is stopped by a fault while its claim was on the way). A file whose claim is
    /// no longer this worker's is left alone.
    public func release(_ files: [ClaimedFile]) async throws {
        guard !files.isEmpty else { return }
        let (ids, tokens) = (files.map(\.id), files.map(\.claimToken))
        try await client.query(
            """
            UPDATE etl_file SET status = 'uploaded', processing_started_at = NULL, claim_token = NULL,
                   attempts = greatest(attempts - 1, 0), updated_at = clock_timestamp()
             WHERE status = 'processing'
               AND (id, claim_token) IN (SELECT * FROM unnest(\(ids)::int8[], \(tokens)::text[]))
            """,
            logger: logger
        ).drain()
    }

    /// Records a processed file: replaces its earlier rows, loads `parsed.lots`, sends
    /// `parsed.rejected` to the DLQ and marks the file loaded (or error when nothing was
    /// valid), all in one transaction. Returns the final status. Throws ``ClaimLost`` (and
    /// changes nothing) when the file's claim is no longer `file`'s.
    public func complete(_ file: ClaimedFile, parsed: ParsedFile) async throws -> FileStatus {
        let loaded = !parsed.lots.isEmpty
        let status: FileStatus = loaded ? .loaded : .error
        var errorType: String? = nil
        var errorMessage: String? = nil
        if !loaded {
            let dataCount = parsed.rejected.filter { $0.errorType == .data }.count
            errorType = (dataCount * 2 > parsed.rejected.count ? ErrorType.data : ErrorType.validation).rawValue
            let first = parsed.rejected.first.map { ": line \($0.line): \($0.message)" } ?? ""
            errorMessage = parsed.rejected.isEmpty
                ? "no data rows"
                : "no valid rows, \(parsed.rejected.count) rejected\(first)"
        }
        let (fileID, filename, token) = (file.id, file.filename, file.claimToken)
        let lots = parsed.lots
        let rejected = parsed.rejected
        let statusText = status.rawValue
        try await claimTransaction { connection in
            try await connection.query("DELETE FROM cattle_lot WHERE file_id = \(fileID)", logger: self.logger).drain()
            if !lots.isEmpty {
                let farms = lots.map(\.farm), lotCodes = lots.map(\.lot)
                let heads = lots.map(\.headCount), weights = lots.map(\.weightKg), prices = lots.map(\.price)
                try await connection.query(
                    """
                    INSERT INTO cattle_lot (farm, lot, head_count, weight_kg, price, file_id)
                    SELECT farm, lot, head_count::integer, weight_kg::numeric(10, 2), price::numeric(14, 2), \(fileID)
                      FROM unnest(\(farms)::text[], \(lotCodes)::text[], \(heads)::int8[], \(weights)::float8[], \(prices)::float8[])
                           AS t(farm, lot, head_count, weight_kg, price)
                    """,
                    logger: self.logger
                ).drain()
            }
            if !rejected.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO etl_dead_letter_queue (error_type, entity_type, payload, error_message, file_id)
                    SELECT error_type, 'cattle_lot',
                           jsonb_build_object('filename', \(filename)::text, 'line', line, 'raw', raw), message, \(fileID)
                      FROM unnest(\(rejected.map(\.errorType.rawValue))::text[], \(rejected.map(\.line))::int8[],
                                  \(rejected.map(\.raw))::text[], \(rejected.map(\.message))::text[])
                           AS t(error_type, line, raw, message)
                    """,
                    logger: self.logger
                ).drain()
            }
            // Only the current claim completes the file: a second worker that loaded it in the
            // meantime holds this row (this statement waits for it and then finds it no longer
            // processing), and a re-queue or a later claim replaced the token. Then everything
            // above rolls back.
            try await connection.query(
                """
                UPDATE etl_file
                   SET status = \(statusText), error_type = \(errorType), error_message = \(errorMessage),
                       rows_loaded = \(lots.count), rows_rejected = \(rejected.count),
                       completed_at = clock_timestamp(), updated_at = clock_timestamp()
                 WHERE id = \(fileID) AND status = 'processing' AND claim_token = \(token)
                RETURNING id
                """,
                logger: self.logger
            ).requireRow(orThrow: ClaimLost(fileID: fileID))
            if loaded {
                // A successful load settles the file-level failures of earlier attempts that
                // the load itself disproves: a connection error, or a size limit since raised.
                try await connection.query(
                    """
                    UPDATE etl_dead_letter_queue SET resolved = true, resolved_at = now()
                     WHERE file_id = \(fileID) AND NOT resolved AND error_type IN ('connection', 'resource')
                    """,
                    logger: self.logger
                ).drain()
            }
        }
        return status
    }

    /// Marks a file failed as a whole and records one DLQ entry for it. Throws ``ClaimLost``
    /// (and changes nothing) when the file's claim is no longer `file`'s.
    public func fail(_ file: ClaimedFile, errorType: ErrorType, message: String) async throws {
        let (fileID, filename, attempts, type) = (file.id, file.filename, file.attempts, errorType.rawValue)
        let token = file.claimToken
        try await claimTransaction { connection in
            try await connection.query(
                """
                UPDATE etl_file
                   SET status = 'error', error_type = \(type), error_message = \(message),
                       rows_loaded = 0, rows_rejected = 0,
                       completed_at = clock_timestamp(), updated_at = clock_timestamp()
                 WHERE id = \(fileID) AND status = 'processing' AND claim_token = \(token)
                RETURNING id
                """,
                logger: self.logger
            ).requireRow(orThrow: ClaimLost(fileID: fileID))
            try await connection.query(
                """
                INSERT INTO etl_dead_letter_queue (error_type, entity_type, payload, error_message, file_id)
                VALUES (\(type), 'file', jsonb_build_object('filename', \(filename)::text, 'attempt', \(attempts)::int), \(message), \(fileID))
                """,
                logger: self.logger
            ).drain()
        }
    }

    /// A transaction that completes or fails a claimed file: a ``ClaimLost`` thrown inside
    /// rolls it back and comes out as itself (PostgresNIO wraps what the closure throws).
    private func claimTransaction(_ body: (PostgresConnection) async throws -> Void) async throws {
        do {
            try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch {
            throw ClaimLost.unwrapped(error)
        }
    }

    /// Spends `milliseconds` inside the database, as slow storage would (the `slow_ms`
    /// fault). It shows in `pg_stat_statements` under its comment.
    public func simulateSlowStorage(milliseconds: Int) async throws {
        let seconds = Double(milliseconds) / 1000
        try await client.query(
            "/* etl-core worker: storage read (fault slow_ms) */ SELECT pg_sleep(\(seconds))",
            logger: logger
        ).drain()
    }

    /// Sets one file back to `uploaded`; returns its previous status, or `nil` if there is no such file.
    public func reprocess(id: Int64) async throws -> FileStatus? {
        let rows = try await client.query(
            """
            UPDATE etl_file AS f
               SET status = 'uploaded', error_type = NULL, error_message = NULL,
                   processing_started_at = NULL, completed_at = NULL, claim_token = NULL,
                   updated_at = clock_timestamp()
              FROM (SELECT id, status FROM etl_file WHERE id = \(id) FOR UPDATE) AS old
             WHERE f.id = old.id
            RETURNING old.status
            """,
            logger: logger
        )
        guard let previous = try await rows.firstString() else { return nil }
        return FileStatus(rawValue: previous)
    }

    /// Re-queues the files in `error` with `errorType` whose last change is within `sinceHours`;
    /// returns how many.
    public func reprocessErrors(errorType: ErrorType?, sinceHours: Int) async throws -> Int {
        let type = errorType?.rawValue
        let rows = try await client.query(
            """
            WITH requeued AS (
                UPDATE etl_file
                   SET status = 'uploaded', error_type = NULL, error_message = NULL,
                       processing_started_at = NULL, completed_at = NULL, claim_token = NULL,
                       updated_at = clock_timestamp()
                 WHERE status = 'error'
                   AND (\(type)::text IS NULL OR error_type = \(type)::text)
                   AND updated_at > now() - make_interval(hours => \(sinceHours)::int)
                RETURNING 1
            )
            SELECT count(*)::int8 FROM requeued
            """,
            logger: logger
        )
        return try await rows.firstInt()
    }

    /// `{"files": [...], "count": n}` for `GET /files`.
    public func filesJSON(status: FileStatus?, errorType: ErrorType?, limit: Int) async throws -> String {
        let (statusText, typeText) = (status?.rawValue, errorType?.rawValue)
        let rows = try await client.query(
            """
            SELECT json_build_object('files', coalesce(json_agg(f ORDER BY f.id DESC), '[]'::json), 'count', count(*))::text
              FROM (SELECT id, filename, status, error_type, error_message, rows_loaded, rows_rejected, attempts,
                           uploaded_at, processing_started_at, completed_at, updated_at
                      FROM etl_file
                     WHERE (\(statusText)::text IS NULL OR status = \(statusText)::text)
                       AND (\(typeText)::text IS NULL OR error_type = \(typeText)::text)
                     ORDER BY id DESC
                     LIMIT \(limit)) AS f
            """,
            logger: logger
        )
        return try await rows.firstString() ?? #"{"files":[],"count":0}"#
    }

    /// One file with its content and DLQ count, or `nil`.
    public func fileJSON(id: Int64) async throws -> String? {
        let rows = try await client.query(
            """
            SELECT row_to_json(f)::text
              FROM (SELECT id, filename, status, error_type, error_message, rows_loaded, rows_rejected, attempts,
                           uploaded_at, processing_started_at, completed_at, updated_at, content,
                           (SELECT count(*) FROM etl_dead_letter_queue d WHERE d.file_id = etl_file.id) AS dlq_entries
                      FROM etl_file WHERE id = \(id)) AS f
            """,
            logger: logger
        )
        return try await rows.firstString()
    }

    // MARK: dead letter queue

    /// `{"entries": [...], "count": n, "unresolved_total": m}` for `GET /dlq`.
    public func deadLettersJSON(resolved: Bool?, errorType: ErrorType?, limit: Int) async throws -> String {
        let typeText = errorType?.rawValue
        let rows = try await client.query(
            """
            SELECT json_build_object(
                       'entries', coalesce(json_agg(d ORDER BY d.created_at DESC, d.id DESC), '[]'::json),
                       'count', count(*),
                       'unresolved_total', (SELECT count(*) FROM etl_dead_letter_queue WHERE NOT resolved))::text
              FROM (SELECT id, error_type, entity_type, payload, error_message, file_id, resolved, created_at, resolved_at
                      FROM etl_dead_letter_queue
                     WHERE (\(resolved)::bool IS NULL OR resolved = \(resolved)::bool)
                       AND (\(typeText)::text IS NULL OR error_type = \(typeText)::text)
                     ORDER BY created_at DESC, id DESC
                     LIMIT \(limit)) AS d
            """,
            logger: logger
        )
        return try await rows.firstString() ?? #"{"entries":[],"count":0,"unresolved_total":0}"#
    }

    /// Resolves every unresolved entry whose error is transient (`ErrorType.transient`:
    /// connection) and, in the same statement, re-queues the files of those entries that are
    /// still in `error` with a transient error: a transient failure is resolved by trying the
    /// file again, not by forgetting it (the next load settles it, or fails with a new entry).
    /// Permanent entries (resource, validation, data) stay. Returns both counts.
    public func resolveTransient() async throws -> (resolved: Int, requeued: Int) {
        let types = ErrorType.transient.map(\.rawValue)
        let rows = try await client.query(
            """
            WITH done AS (
                UPDATE etl_dead_letter_queue SET resolved = true, resolved_at = now()
                 WHERE NOT resolved AND error_type = ANY(\(types)::text[])
                RETURNING file_id
            ), requeued AS (
                UPDATE etl_file
                   SET status = 'uploaded', error_type = NULL, error_message = NULL,
                       processing_started_at = NULL, completed_at = NULL, claim_token = NULL,
                       updated_at = clock_timestamp()
                 WHERE id IN (SELECT file_id FROM done) AND status = 'error' AND error_type = ANY(\(types)::text[])
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM done)::int8, (SELECT count(*) FROM requeued)::int8
            """,
            logger: logger
        )
        var result = (resolved: 0, requeued: 0)
        for try await (resolved, requeued) in rows.decode((Int, Int).self) {
            result = (resolved, requeued)
        }
        return result
    }

    /// Resolves one entry.
    public func resolveDeadLetter(id: Int64) async throws -> ResolveOutcome {
        let rows = try await client.query(
            """
            WITH target AS (SELECT id, resolved FROM etl_dead_letter_queue WHERE id = \(id) FOR UPDATE),
                 done AS (
                     UPDATE etl_dead_letter_queue d SET resolved = true, resolved_at = now()
                       FROM target WHERE d.id = target.id AND NOT target.resolved
                     RETURNING d.id)
            SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM target) THEN 'missing'
                        WHEN EXISTS (SELECT 1 FROM done) THEN 'resolved'
                        ELSE 'already' END
            """,
            logger: logger
        )
        switch try await rows.firstString() {
        case "resolved": return .resolved
        case "already": return .alreadyResolved
        default: return .notFound
        }
    }

    /// One DLQ entry as JSON, or `nil`.
    public func deadLetterJSON(id: Int64) async throws -> String? {
        try await client.query(
            """
            SELECT row_to_json(d)::text FROM (
                SELECT id, error_type, entity_type, payload, error_message, file_id, resolved, created_at, resolved_at
                  FROM etl_dead_letter_queue WHERE id = \(id)) AS d
            """,
            logger: logger
        ).firstString()
    }

    // MARK: health and metrics

    /// `SELECT 1`.
    public func ping() async throws {
        try await client.query("SELECT 1", logger: logger).drain()
    }

    /// The most recently completed file as JSON, or `nil` when none completed yet.
    public func lastProcessedJSON() async throws -> String? {
        try await client.query(
            """
            SELECT row_to_json(f)::text FROM (
                SELECT id, filename, status, completed_at FROM etl_file
                 WHERE completed_at IS NOT NULL ORDER BY completed_at DESC LIMIT 1) AS f
            """,
            logger: logger
        ).firstString()
    }

    /// Snapshot for `/metrics`: files by status, DLQ, alerts, processing time over 24 h.
    public func metricsSnapshot() async throws -> MetricsSnapshot {
        var snapshot = MetricsSnapshot()
        for try await (status, count) in try await client.query(
            "SELECT status, count(*)::int8 FROM etl_file GROUP BY status", logger: logger
        ).decode((String, Int).self) {
            snapshot.filesByStatus[status] = count
        }
        for try await (dlq, alerts, avgSeconds, completed, pending) in try await client.query(
            """
            SELECT (SELECT count(*) FROM etl_dead_letter_queue WHERE NOT resolved)::int8,
                   (SELECT count(*) FROM etl_alert_history WHERE NOT resolved)::int8,
                   (SELECT coalesce(avg(extract(epoch FROM completed_at - processing_started_at)), 0)::float8
                      FROM etl_file WHERE completed_at > now() - interval '24 hours' AND processing_started_at IS NOT NULL),
                   (SELECT count(*) FROM etl_file WHERE completed_at > now() - interval '24 hours')::int8,
                   (SELECT count(*) FROM etl_file WHERE status IN ('uploaded', 'processing')
                       AND uploaded_at < now() - interval '30 minutes')::int8
            """,
            logger: logger
        ).decode((Int, Int, Double, Int, Int).self) {
            snapshot.deadLettersUnresolved = dlq
            snapshot.alertsActive = alerts
            snapshot.averageProcessingSeconds24h = avgSeconds
            snapshot.completed24h = completed
            snapshot.pendingOver30Minutes = pending
        }
        for try await (pending1h, oldest, loaded, failed, completed, avg1h, avg7d, last) in try await client.query(
            """
            SELECT (SELECT count(*) FROM etl_file WHERE status IN ('uploaded', 'processing')
                       AND uploaded_at < now() - interval '1 hour')::int8,
                   (SELECT coalesce(extract(epoch FROM now() - min(uploaded_at)), 0)
                      FROM etl_file WHERE status IN ('uploaded', 'processing'))::float8,
                   (SELECT count(*) FROM etl_file WHERE status = 'loaded' AND updated_at > now() - interval '1 hour')::int8,
                   (SELECT count(*) FROM etl_file WHERE status = 'error' AND updated_at > now() - interval '1 hour')::int8,
                   (SELECT count(*) FROM etl_file WHERE completed_at > now() - interval '1 hour')::int8,
                   (SELECT coalesce(avg(extract(epoch FROM completed_at - processing_started_at)), 0)::float8
                      FROM etl_file WHERE completed_at > now() - interval '1 hour' AND processing_started_at IS NOT NULL),
                   (SELECT coalesce(avg(extract(epoch FROM completed_at - processing_started_at)), 0)::float8
                      FROM etl_file WHERE completed_at > now() - interval '7 days' AND processing_started_at IS NOT NULL),
                   (SELECT extract(epoch FROM now() - max(completed_at))::float8 FROM etl_file)
            """,
            logger: logger
        ).decode((Int, Double, Int, Int, Int, Double, Double, Double?).self) {
            snapshot.pendingOver1Hour = pending1h
            snapshot.oldestPendingSeconds = max(0, oldest)
            snapshot.loadedLastHour = loaded
            snapshot.failedLastHour = failed
            snapshot.completedLastHour = completed
            snapshot.averageProcessingSeconds1h = avg1h
            snapshot.averageProcessingSeconds7d = avg7d
            snapshot.lastCompletionSeconds = last.map { max(0, $0) }
        }
        for try await (loaded, failed) in try await client.query(
            """
            SELECT count(*) FILTER (WHERE status = 'loaded')::int8, count(*) FILTER (WHERE status = 'error')::int8
              FROM etl_file WHERE status IN ('loaded', 'error') AND updated_at > now() - interval '4 hours'
            """,
            logger: logger
        ).decode((Int, Int).self) {
            snapshot.loadedLast4Hours = loaded
            snapshot.failedLast4Hours = failed
        }
        for minutes in MetricsSnapshot.recentWindowMinutes {
            for try await (completed, average) in try await client.query(
                """
                SELECT count(*)::int8, coalesce(avg(extract(epoch FROM completed_at - processing_started_at)), 0)::float8
                  FROM etl_file WHERE completed_at > now() - \(minutes) * interval '1 minute' AND processing_started_at IS NOT NULL
                """,
                logger: logger
            ).decode((Int, Double).self) {
                snapshot.recent.append(.init(minutes: minutes, completed: completed, averageSeconds: average))
            }
        }
        return snapshot
    }
}
