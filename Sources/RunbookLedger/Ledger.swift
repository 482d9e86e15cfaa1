import Logging
public import PostgresNIO
import PostgresURLKit
public import RunbookCore
public import RunbookDrivers

/// One connection to the team's ledger: the `runbook` schema in a PostgreSQL named by an
/// environment's `ledger.url`. Queries on one connection are sent one after another by
/// PostgresNIO; every value is a bind parameter.
public final class Ledger: Sendable {
    /// The ledger's address, for messages (never the password).
    public let target: String
    /// The connection.
    public let connection: PostgresConnection
    private let eventLoops: DriverEventLoops?

    static let logger = Logger(label: "runbook.ledger") { _ in SwiftLogNoOpLogHandler() }
    /// The first key of the advisory locks the ledger takes (`'RUNB'`).
    static let lockNamespace: Int32 = 0x5255_4E42

    private init(target: String, connection: PostgresConnection, eventLoops: DriverEventLoops?) {
        self.target = target
        self.connection = connection
        self.eventLoops = eventLoops
    }

    /// The ledger on a connection leased from a pool (`PostgresClient.withConnection`): only
    /// for the lease, and never closed by the ledger (do not call ``close()`` on it).
    public static func leased(_ connection: PostgresConnection, target: String) -> Ledger {
        Ledger(target: target, connection: connection, eventLoops: nil)
    }

    /// Connects to the ledger at `url` (a PostgreSQL URL). `eventLoops`: the run's, or nil for
    /// a thread of the ledger's own, stopped by ``close()``.
    ///
    /// `durable: false` (a run's writer) commits without waiting for the ledger's WAL flush
    /// (`synchronous_commit = off`): a record is visible to the team once its statement
    /// returns, and a crash of the ledger's server can lose at most its last fraction of a
    /// second of commits. Nothing is lost overall: the local log (synced before every action)
    /// still holds them, and the next writer sends whatever the ledger's head lacks.
    public static func connect(url text: String, eventLoops shared: DriverEventLoops? = nil,
                               timeout: Duration = .seconds(5), durable: Bool = true) async throws(LedgerError) -> Ledger
    {
        let url: PostgresURL
        do { url = try PostgresURL(text) } catch { throw LedgerError(.configuration, "ledger.url: \(error.message)") }
        let own = shared == nil ? DriverEventLoops(threads: 1) : nil
        do {
            let connection = try await url.connect(on: shared ?? own!, timeout: timeout, applicationName: "runbook-ledger",
                                                   settings: durable ? [] : [("synchronous_commit", "off")])
            return Ledger(target: url.target, connection: connection, eventLoops: own)
        } catch {
            await own?.shutdown()
            throw LedgerError(DriverError(error.code, "ledger: \(error.message)"))
        }
    }

    /// Closes the connection (and the ledger's own thread, if it has one).
    public func close() async {
        try? await connection.close()
        await eventLoops?.shutdown()
    }

    // MARK: Schema

    /// The schema's version; nil when the ledger has none yet.
    public func schemaVersion() async throws(LedgerError) -> Int? {
        // One round trip when the schema is there (every run asks); without it, PostgreSQL
        // answers that the table (or the schema) does not exist.
        do {
            var version = 0
            for try await v in try await connection.query("SELECT coalesce(max(version), 0) FROM runbook.schema_version", logger: Self.logger).decode(Int.self) {
                version = v
            }
            return version
        } catch let error as PSQLError where ["42P01", "3F000"].contains(error.serverInfo?[.sqlState]) {
            return nil
        } catch {
            throw Self.failure(error, doing: "reading the schema version", target: target)
        }
    }

    /// Refuses a ledger this binary cannot write: no schema yet, or one migrated by a newer
    /// binary.
    public func requireCurrentSchema() async throws(LedgerError) {
        let version = try await schemaVersion()
        guard let version else {
            throw LedgerError(.noSchema, "the ledger at \(target) has no runbook schema yet: run `runbook ledger init --env NAME` once")
        }
        if version > LedgerSchema.currentVersion { throw Self.newer(version, target: target) }
        if version < LedgerSchema.currentVersion {
            throw LedgerError(.noSchema, "the ledger at \(target) has schema version \(version), this binary needs \(LedgerSchema.currentVersion): run `runbook ledger init --env NAME`")
        }
    }

    static func newer(_ version: Int, target: String) -> LedgerError {
        LedgerError(.newerSchema, "the ledger at \(target) has schema version \(version), newer than this runbook binary knows (\(LedgerSchema.currentVersion)): upgrade runbook; nothing was changed")
    }

    /// Creates or upgrades the schema in one transaction, under an advisory lock (a second
    /// `init` at the same time waits, then finds nothing to do). Returns the versions before
    /// and after. A schema newer than this binary is refused and left as it is.
    public func migrate(appliedBy: String) async throws(LedgerError) -> (from: Int, to: Int) {
        try await run("migrating the schema") {
            try await transaction("migrating the schema") { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockNamespace), 0)", logger: Self.logger)
                try await connection.query("CREATE SCHEMA IF NOT EXISTS runbook", logger: Self.logger)
                try await connection.query("""
                    CREATE TABLE IF NOT EXISTS runbook.schema_version (
                        version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL)
                    """, logger: Self.logger)
                var from = 0
                for try await v in try await connection.query("SELECT coalesce(max(version), 0) FROM runbook.schema_version", logger: Self.logger).decode(Int.self) {
                    from = v
                }
                if from > LedgerSchema.currentVersion { throw Self.newer(from, target: target) }
                for version in (from + 1)..<(LedgerSchema.currentVersion + 1) {
                    for statement in LedgerSchema.migrations[version - 1] {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Self.logger)
                    }
                    try await connection.query("INSERT INTO runbook.schema_version (version, applied_by) VALUES (\(version), \(appliedBy))", logger: Self.logger)
                }
                return (from, LedgerSchema.currentVersion)
            }
        }
    }

    // MARK: Records

    /// Names a local log (`source`) in the ledger, or notes that it was seen again; marks
    /// `activeRun` (when given) as running while this connection lasts (see ``markActive(runID:)``);
    /// returns the highest seq of `source` the ledger holds (0 for none). One round trip: every
    /// run starts with it.
    public func open(source: String, host: String, path: String, activeRun: String?) async throws(LedgerError) -> Int {
        try await run("registering the local audit log") {
            var head = 0
            let rows = try await connection.query("""
                WITH registered AS (
                    INSERT INTO runbook.sources (source_id, host, path) VALUES (\(source), \(host), \(path))
                    ON CONFLICT (source_id) DO UPDATE SET last_seen = now(), host = EXCLUDED.host, path = EXCLUDED.path
                )
                SELECT coalesce(max(seq), 0),
                       bool_and(\(activeRun)::text IS NULL OR pg_try_advisory_lock(\(Self.lockNamespace), hashtext(\(activeRun)::text)))
                  FROM (SELECT max(seq) AS seq FROM runbook.records WHERE source_id = \(source)) h
                """, logger: Self.logger)
            for try await (v, _) in rows.decode((Int, Bool?).self) { head = v }
            return head
        }
    }

    /// Inserts `records` of `source`, each at most once: a seq already there is skipped. Returns
    /// the seqs where the ledger already held a *different* record (tampering, or a local log
    /// that was truncated and written again).
    public func insert(source: String, records: [AuditTail.Record]) async throws(LedgerError) -> [Int] {
        guard !records.isEmpty else { return [] }
        let seqs = records.map(\.seq)
        let hashes = records.map(\.hash)
        let lines = records.map(\.line)
        return try await run("writing records") { try await insertRecords(source: source, seqs: seqs, hashes: hashes, lines: lines) }
    }

    /// ``insert(source:records:)``'s statement, for a caller's transaction.
    func insertRecords(source: String, seqs: [Int], hashes: [String], lines: [String]) async throws -> [Int] {
        let rows = try await connection.query("""
            WITH input AS (
                SELECT * FROM unnest(\(seqs)::bigint[], \(hashes)::text[], \(lines)::text[]) AS t(seq, hash, line)
            ), inserted AS (
                INSERT INTO runbook.records (source_id, seq, hash, prev, run_id, event, ts, line)
                SELECT \(source), i.seq, i.hash, j->>'prev', j->>'run_id', j->>'event', (j->>'ts')::timestamptz, i.line
                  FROM input i CROSS JOIN LATERAL (SELECT replace(i.line, '\\u0000', '')::jsonb AS j) l
                ON CONFLICT (source_id, seq) DO NOTHING
                RETURNING seq
            )
            SELECT i.seq FROM input i JOIN runbook.records r ON r.source_id = \(source) AND r.seq = i.seq
             WHERE r.hash <> i.hash ORDER BY i.seq
            """, logger: Self.logger)
        var conflicts: [Int] = []
        for try await seq in rows.decode(Int.self) { conflicts.append(seq) }
        return conflicts
    }

    /// Marks run `runID` as going on for as long as this connection lives (a session advisory
    /// lock, which PostgreSQL drops with the connection, SIGKILL included): `runs --active`.
    public func markActive(runID: String) async throws(LedgerError) {
        try await run("marking the run active") {
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockNamespace), hashtext(\(runID)))", logger: Self.logger)
        }
    }

    /// ``markActive(runID:)`` on a connection that many runs share (the runner's kept one): not
    /// waiting for a mark another session holds (false then, the run goes on unmarked).
    public func tryMarkActive(runID: String) async throws(LedgerError) -> Bool {
        try await run("marking the run active") {
            var taken = false
            for try await t in try await connection.query("SELECT pg_try_advisory_lock(\(Self.lockNamespace), hashtext(\(runID)))", logger: Self.logger)
                .decode(Bool.self) { taken = t }
            return taken
        }
    }

    /// Ends a mark of ``tryMarkActive(runID:)`` (the run is over) on the same connection.
    public func unmarkActive(runID: String) async throws(LedgerError) {
        try await run("ending the run's active mark") {
            try await connection.query("SELECT pg_advisory_unlock(\(Self.lockNamespace), hashtext(\(runID)))", logger: Self.logger)
        }
    }

    /// Runs `body` in a transaction of this connection (PostgresNIO's `withTransaction`):
    /// committed when it returns, rolled back when it throws. `body`'s own error comes out as
    /// thrown; a failed BEGIN or COMMIT as a ``LedgerError`` saying what was being done.
    func transaction<T: Sendable>(_ doing: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await connection.withTransaction(logger: Self.logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let failure = error.closureError { throw failure }
            throw Self.failure(error.beginError ?? error.commitError ?? error, doing: doing, target: target)
        }
    }

    /// Runs `body`, turning every failure into a ``LedgerError`` that says what was being done.
    @discardableResult
    func run<T>(_ doing: String, _ body: () async throws -> T) async throws(LedgerError) -> T {
        do {
            return try await body()
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.failure(error, doing: doing, target: target)
        }
    }

    static func failure(_ error: any Error, doing: String, target: String) -> LedgerError {
        if let p = error as? PSQLError {
            if let info = p.serverInfo, let state = info[.sqlState] {
                let code: LedgerError.Code = state.hasPrefix("08") || state == "57P01" || state == "57P03" ? .unreachable
                    : state == "28P01" || state == "28000" ? .authentication : .failed
                return LedgerError(code, "ledger at \(target): \(doing): SQLSTATE \(state): \(info[.message] ?? "")")
            }
            if [.connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection].contains(p.code) {
                return LedgerError(.unreachable, "ledger at \(target): \(doing): the connection was lost")
            }
            return LedgerError(.failed, "ledger at \(target): \(doing): \(p.code)")
        }
        return LedgerError(.failed, "ledger at \(target): \(doing): \(error)")
    }
}
