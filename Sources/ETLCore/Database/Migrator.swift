import Logging
import PostgresNIO

/// Applies ``SchemaMigrations`` (or any list) to a database, once each.
///
/// Safe to run at every start and from several processes at once: it holds a PostgreSQL
/// advisory lock while it works, and each migration commits together with its row in
/// `schema_migrations`.
public struct Migrator: Sendable {
    /// Arbitrary, fixed key of the advisory lock.
    static let lockKey: Int64 = 0x45_54_4C_6D_69_67 // "ETLmig"

    let migrations: [Migration]
    let logger: Logger

    /// Creates a migrator for `migrations` (default: the ETL schema).
    public init(migrations: [Migration] = SchemaMigrations.all, logger: Logger) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// Applies what is missing; returns the versions applied by this call (empty when up to date).
    @discardableResult
    public func migrate(_ client: PostgresClient) async throws -> [Int] {
        try await client.withConnection { connection in
            try await self.migrate(connection)
        }
    }

    /// Applies what is missing on one connection.
    public func migrate(_ connection: PostgresConnection) async throws -> [Int] {
        try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger).drain()
        do {
            let applied = try await self.applyMissing(connection)
            try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger).drain()
            return applied
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger).drain()
            throw error
        }
    }

    /// Versions recorded in `schema_migrations`, ascending.
    public func appliedVersions(_ connection: PostgresConnection) async throws -> [Int] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        ).drain()
        var versions: [Int] = []
        for try await version in try await connection.query("SELECT version FROM schema_migrations ORDER BY version", logger: logger)
            .decode(Int.self)
        {
            versions.append(version)
        }
        return versions
    }

    private func applyMissing(_ connection: PostgresConnection) async throws -> [Int] {
        let done = Set(try await appliedVersions(connection))
        var applied: [Int] = []
        for migration in migrations where !done.contains(migration.version) {
            do {
                try await connection.query("BEGIN", logger: logger).drain()
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).drain()
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger
                ).drain()
                try await connection.query("COMMIT", logger: logger).drain()
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger).drain()
                throw ETLError(.migration, "migration \(migration.version) (\(migration.name)) failed: \(PostgresErrorText.describe(error))")
            }
            logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            applied.append(migration.version)
        }
        return applied
    }
}
