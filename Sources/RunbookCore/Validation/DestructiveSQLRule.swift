import Foundation
import Yams

/// Irreversible deletes need a named approval: an action whose SQL runs `DELETE`, `TRUNCATE`
/// or `DROP` must be `risk: high` (the operator types the action id, or passes `--approve`),
/// unless it says how it is undone with `undo:` (say, the archive table the rows moved to).
/// Pure: it reads the SQL text, skipping comments, quoted strings and identifiers, and the
/// `ON DELETE` of a foreign key.
enum DestructiveSQLRule {
    /// The statements that remove data for good.
    static let keywords: Set<String> = ["DELETE", "TRUNCATE", "DROP"]

    /// A diagnostic at the keyword when `step` breaks the rule; called by the loader with the
    /// step's `sql:` node, so the location is the keyword's own line and column.
    static func check(_ step: Step, sqlNode: Node, in doc: YAMLDocument) {
        guard step.kind == .action, step.risk != .high, (step.undo ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
              let sql = sqlNode.scalar?.string, let found = firstDestructiveKeyword(in: sql) else { return }
        doc.error(at: doc.location(of: sqlNode, offset: found.offset),
                  "action '\(step.id)' runs \(found.keyword), which cannot be taken back, at risk \(step.risk.rawValue): "
                      + "make it 'risk: high' (a named approval), or say how it is undone with 'undo:' "
                      + "(for example the archive table the rows are copied to)")
    }

    /// The first `DELETE`, `TRUNCATE` or `DROP` word of `sql` outside comments, strings and
    /// quoted identifiers (and not the `DELETE` of `ON DELETE`), with its character offset.
    /// Read with the project's one SQL lexer, `SQLTokenizer`.
    static func firstDestructiveKeyword(in sql: String) -> (keyword: String, offset: Int)? {
        var previousWord = ""
        for case .word(let text, let range) in SQLTokenizer.tokens(sql) {
            let word = text.uppercased()
            if keywords.contains(word), !(word == "DELETE" && previousWord == "ON") {
                // The tokenizer counts Unicode scalars; diagnostics count characters.
                let scalars = sql.unicodeScalars
                let index = scalars.index(scalars.startIndex, offsetBy: range.lowerBound)
                return (word, sql.distance(from: sql.startIndex, to: index))
            }
            previousWord = word
        }
        return nil
    }
}
