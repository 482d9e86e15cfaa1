import RunbookCore

/// How the SQL driver sends a step's statement, decided from its text alone (pure, tested
/// without a database).
///
/// * `query` (`SELECT`, `VALUES`, `TABLE`, a read-only `WITH`): sent as
///   `SELECT row_to_json(q)::text FROM (<sql>) q LIMIT <cap + 1>`, so PostgreSQL renders every
///   type itself and at most one row past the cap crosses the wire.
/// * `returning` (`INSERT`/`UPDATE`/`DELETE ... RETURNING`): sent as
///   `WITH q AS (<sql>) SELECT row_to_json(q)::text FROM q`; every returned row is read
///   (`row_count` counts them all), the first `cap` are kept.
/// * `command` (anything else: `UPDATE` without `RETURNING`, `ANALYZE`, `REINDEX`, `SHOW`,
///   `EXPLAIN`, a `WITH` that modifies data...): sent as written; `row_count` comes from the
///   command tag (`UPDATE 3` → 3), and any rows it returns are decoded column by column.
public enum SQLStatement: Sendable, Equatable {
    case query
    case returning
    case command

    /// Classifies `sql` (already with `$n` placeholders).
    public static func classify(_ sql: String) -> SQLStatement {
        let words = SQLStatement.words(in: sql)
        guard let first = words.first else { return .command }
        switch first {
        case "select", "values", "table":
            return .query
        case "with":
            let modifying: Set<String> = ["insert", "update", "delete", "merge"]
            return words.contains(where: modifying.contains) ? .command : .query
        case "insert", "update", "delete":
            return words.contains("returning") ? .returning : .command
        default:
            return .command
        }
    }

    /// The text sent to the server for this kind of statement.
    public func wrap(_ sql: String, maxRows: Int) -> String {
        let body = SQLStatement.trimmed(sql)
        switch self {
        case .query: return "SELECT row_to_json(q)::text FROM (\n\(body)\n) q LIMIT \(maxRows + 1)"
        case .returning: return "WITH q AS (\n\(body)\n) SELECT row_to_json(q)::text FROM q"
        case .command: return body
        }
    }

    /// The statement without surrounding whitespace and trailing semicolons.
    static func trimmed(_ sql: String) -> String {
        var text = Substring(sql)
        while let last = text.last, last.isWhitespace || last == ";" { text = text.dropLast() }
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        return String(text)
    }
}

extension SQLStatement {
    /// Whether PostgreSQL refuses `sql` inside a transaction block: `CREATE INDEX CONCURRENTLY`,
    /// `DROP INDEX CONCURRENTLY`, `REINDEX ... CONCURRENTLY`, `VACUUM`. The driver runs such an
    /// action on its own (no `BEGIN`), with its own session `statement_timeout`.
    public static func refusesTransaction(_ sql: String) -> Bool {
        let words = SQLStatement.words(in: sql)
        guard let first = words.first else { return false }
        switch first {
        case "vacuum":
            return true
        case "create", "drop":
            let head = Array(words.prefix(4))
            return head.contains("index") && head.contains("concurrently")
        case "reindex":
            return words.prefix(4).contains("concurrently")
        default:
            return false
        }
    }

    /// The lower-cased bare words of a SQL text, outside string literals, quoted identifiers,
    /// dollar-quoted bodies and comments (the project's one SQL lexer).
    static func words(in sql: String) -> [String] { SQLTokenizer.words(sql) }
}
