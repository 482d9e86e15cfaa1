/// One versioned schema change: an ordered list of single SQL statements.
///
/// Statements are sent one by one (PostgresNIO's extended protocol runs one statement per
/// query) inside one transaction, together with the row that records the version.
public struct Migration: Sendable {
    /// Monotonic version number; the key in `schema_migrations`.
    public let version: Int
    /// A short name, stored beside the version.
    public let name: String
    /// The statements, applied in order.
    public let statements: [String]

    /// Creates a migration.
    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}
