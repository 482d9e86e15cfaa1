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
    static func firstDestructiveKeyword(in sql: String) -> (keyword: String, offset: Int)? {
        let chars = Array(sql)
        var i = 0
        var previousWord = ""
        func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "$" }
        while i < chars.count {
            let c = chars[i]
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            if c == "-", next == "-" {
                while i < chars.count, chars[i] != "\n" { i += 1 }
            } else if c == "/", next == "*" {
                i += 2
                while i < chars.count, !(chars[i] == "*" && i + 1 < chars.count && chars[i + 1] == "/") { i += 1 }
                i += 2
            } else if c == "'" || c == "\"" {
                i += 1
                while i < chars.count {
                    if chars[i] == c {
                        if i + 1 < chars.count, chars[i + 1] == c { i += 2; continue }
                        break
                    }
                    i += 1
                }
                i += 1
            } else if c == "$", let tagEnd = dollarTagEnd(chars, from: i) {
                let tag = String(chars[i...tagEnd])
                i = tagEnd + 1
                while i < chars.count, String(chars[i..<min(chars.count, i + tag.count)]) != tag { i += 1 }
                i += tag.count
            } else if isWordChar(c) {
                let start = i
                while i < chars.count, isWordChar(chars[i]) { i += 1 }
                let word = String(chars[start..<i]).uppercased()
                if keywords.contains(word), !(word == "DELETE" && previousWord == "ON") {
                    return (word, start)
                }
                previousWord = word
            } else {
                i += 1
            }
        }
        return nil
    }

    /// The end of a dollar-quote tag (`$$` or `$tag$`) starting at `start`, if it is one.
    private static func dollarTagEnd(_ chars: [Character], from start: Int) -> Int? {
        var j = start + 1
        while j < chars.count, chars[j].isLetter || chars[j] == "_" { j += 1 }
        return j < chars.count && chars[j] == "$" ? j : nil
    }
}
