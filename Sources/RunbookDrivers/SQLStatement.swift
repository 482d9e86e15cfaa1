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
    /// The lower-cased bare words of a SQL text, outside string literals, quoted identifiers,
    /// dollar-quoted bodies and comments.
    static func words(in sql: String) -> [String] {
        var words: [String] = []
        let s = Array(sql.unicodeScalars)
        var i = 0
        var word = String.UnicodeScalarView()
        func flush() {
            if !word.isEmpty { words.append(String(word).lowercased()) }
            word.removeAll()
        }
        func skip(until closing: String.UnicodeScalarView, from start: Int) -> Int {
            let c = Array(closing)
            var j = start
            while j + c.count <= s.count {
                if Array(s[j..<j + c.count]) == c { return j + c.count }
                j += 1
            }
            return s.count
        }
        while i < s.count {
            let ch = s[i]
            let next: Unicode.Scalar? = i + 1 < s.count ? s[i + 1] : nil
            if ch == "-", next == "-" {
                flush()
                while i < s.count, s[i] != "\n" { i += 1 }
            } else if ch == "/", next == "*" {
                flush()
                i = skip(until: "*/".unicodeScalars, from: i + 2)
            } else if ch == "'" || ch == "\"" {
                flush()
                var j = i + 1
                while j < s.count {
                    if s[j] == ch {
                        if j + 1 < s.count, s[j + 1] == ch { j += 2; continue }
                        break
                    }
                    j += 1
                }
                i = j + 1
            } else if ch == "$", word.isEmpty {
                // $tag$ ... $tag$ (a dollar-quoted string), or a $n placeholder.
                var j = i + 1
                while j < s.count, s[j] == "_" || s[j].properties.isAlphabetic || (s[j].properties.numericType != nil && j > i + 1) { j += 1 }
                if j < s.count, s[j] == "$", !(next.map { $0.properties.numericType != nil } ?? false) {
                    let tag = String.UnicodeScalarView(s[i...j])
                    i = skip(until: tag, from: j + 1)
                } else {
                    i += 1
                    while i < s.count, s[i].properties.numericType != nil { i += 1 }
                }
            } else if ch == "_" || ch.properties.isAlphabetic || (ch.properties.numericType != nil && !word.isEmpty) {
                word.append(ch)
                i += 1
            } else {
                flush()
                i += 1
            }
        }
        flush()
        return words
    }
}
