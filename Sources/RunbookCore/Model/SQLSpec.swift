/// `sql:` text with `:name` placeholders bound from `params:`.
public struct SQLSpec: Sendable {
    /// The statement as written; values never spliced in (the loader refuses `${{ }}` here).
    public var sql: Located<String>
    /// `params:`: each `:name` of the SQL bound to an expression's value, in file order.
    public var params: [(String, Located<Expression>)]
    /// `max-rows:` (default 1000): the most rows kept in `result.rows`.
    public var maxRows: Int
    /// `database:`: which of the environment's databases the statement reads.
    public var database: SQLDatabase
    /// An SQL step's spec.
    public init(sql: Located<String>, params: [(String, Located<Expression>)] = [], maxRows: Int = 1000, database: SQLDatabase = .etl) {
        self.sql = sql
        self.params = params
        self.maxRows = maxRows
        self.database = database
    }
}
