/// Which of an environment's databases an `sql` step runs against (`database:`).
public enum SQLDatabase: String, Sendable, Hashable, CaseIterable {
    /// The ETL database, `database.url` (the default).
    case etl
    /// The team's ledger, `ledger.url`: read-only, for checks only (the probe history of
    /// `runbook probe`, run history). Nothing a runbook does may write the ledger.
    case ledger

    /// The environment's setting that holds its URL: `database.url`, `ledger.url`.
    public var setting: String { self == .etl ? "database.url" : "ledger.url" }
}
