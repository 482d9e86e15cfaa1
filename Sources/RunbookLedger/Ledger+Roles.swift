import PostgresNIO

/// The ledger's two roles (`runbook ledger init` grants them; docs/ledger.md says what a DBA
/// runs in production):
///
/// * `runbook_writer`: what the runner (and, without one, whoever runs) writes with: SELECT,
///   INSERT, UPDATE, DELETE on the ledger's tables (records and checkpoints stay append-only:
///   their triggers refuse the rest) and its sequences;
/// * `runbook_reader`: operators, the console's readers and auditors: SELECT only, so writing
///   `runbook.approval_decisions` or `UPDATE runbook.runs` with a reader's login is refused.
///
/// Both are `NOLOGIN` group roles: a DBA makes logins members of them (`GRANT runbook_reader
/// TO alice`).
extension Ledger {
    /// The role of the ledger's readers.
    public static let readerRole = "runbook_reader"
    /// The role of the ledger's writer (the runner).
    public static let writerRole = "runbook_writer"

    /// What each role is granted on the `runbook` schema, as SQL (constant text: no value in it).
    static let grants: [(role: String, statements: [String])] = [
        (readerRole, [
            "GRANT USAGE ON SCHEMA runbook TO runbook_reader",
            "GRANT SELECT ON ALL TABLES IN SCHEMA runbook TO runbook_reader",
        ]),
        (writerRole, [
            "GRANT USAGE ON SCHEMA runbook TO runbook_writer",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA runbook TO runbook_writer",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA runbook TO runbook_writer",
        ]),
    ]

    /// Creates the two roles when they do not exist and this login may (CREATEROLE), and grants
    /// each its privileges on every table of the schema (run after ``migrate(appliedBy:)``, so
    /// tables a migration adds are granted too). Returns one line per role: granted, or why not
    /// and what a DBA runs.
    public func grantRoles() async throws(LedgerError) -> [String] {
        try await run("granting the ledger's roles") {
            // Under migrate's advisory lock: two inits at once would otherwise race on the
            // same grants ("tuple concurrently updated").
            try await connection.query("BEGIN", logger: Self.logger)
            do {
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockNamespace), 0)", logger: Self.logger)
                var lines: [String] = []
                for (role, statements) in Self.grants {
                    var exists = false
                    for try await _ in try await connection.query("SELECT 1 FROM pg_roles WHERE rolname = \(role)", logger: Self.logger) { exists = true }
                    if !exists {
                        try await connection.query("SAVEPOINT create_role", logger: Self.logger)
                        do {
                            try await connection.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(role) NOLOGIN"), logger: Self.logger)
                        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42501" {
                            try await connection.query("ROLLBACK TO SAVEPOINT create_role", logger: Self.logger)
                            lines.append("role \(role): not there, and this login cannot create it; a DBA runs: CREATE ROLE \(role) NOLOGIN; then runbook ledger init again")
                            continue
                        }
                    }
                    for statement in statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Self.logger)
                    }
                    lines.append("role \(role): \(role == Self.readerRole ? "SELECT" : "SELECT, INSERT, UPDATE, DELETE") on runbook.*")
                }
                try await connection.query("COMMIT", logger: Self.logger)
                return lines
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: Self.logger)
                throw error
            }
        }
    }
}
