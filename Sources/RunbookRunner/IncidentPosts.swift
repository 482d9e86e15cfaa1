public import RunbookLedger
import RunbookCore

/// Writes incident posts as `incident` commands and runs show them: one line per post (→
/// delivered, ◇ a dry run's, ✖ failed), its message indented below.
public func writePosts(_ posts: [IncidentDesk.Post], to out: (String) -> Void) {
    for post in posts {
        let mark = post.delivered ? "→" : (post.answer.hasPrefix("would post") ? "◇" : "✖")
        out("\(mark) \(post.incident) \(post.kind.rawValue): \(TextReporter.escape(post.answer))\n")
        for line in post.message.split(separator: "\n", omittingEmptySubsequences: false) {
            out("    \(TextReporter.escape(String(line)))\n")
        }
    }
}
