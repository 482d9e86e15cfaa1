import PostgresNIO

/// Turns a PostgresNIO error into words an operator can act on.
///
/// `PSQLError.description` is deliberately generic; the SQLSTATE and the server's message
/// live in `serverInfo`. Neither contains the password.
enum PostgresErrorText {
    static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                let state = psql.serverInfo?[.sqlState] ?? "?????"
                return "\(message) (SQLSTATE \(state))"
            }
            if let underlying = psql.underlying { return "\(psql.code): \(underlying)" }
            return "\(psql.code)"
        }
        if let etl = error as? ETLError { return etl.message }
        if isConnectionFailure(error) { return "cannot connect to the database (\(error))" }
        return String(describing: error)
    }

    /// True for the connection pool's own failures (no connection could be made), which are
    /// not `PSQLError`s.
    static func isConnectionFailure(_ error: any Error) -> Bool {
        error is PSQLError || String(reflecting: type(of: error)).contains("ConnectionPool")
    }
}
