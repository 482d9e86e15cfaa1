import Foundation
import Testing
@testable import RunbookCore

/// Irreversible deletes need a named approval: SQL that deletes, in an action below
/// `risk: high` without `undo:`, is a lint error at the keyword's line and column.
@Suite("Lint: destructive SQL needs risk high or undo")
struct DestructiveSQLRuleTests {
    let home = TestHome()

    func runbook(_ action: String) -> String {
        """
        runbook: t
        title: T
        severity: P4
        owner: etl-team
        steps:
          - check: c
            sql: SELECT 1
        \(action)
        """
    }

    @Test(arguments: [
        // (action body, expected "line:col" of the error or nil when it lints)
        ("  - action: purge\n    risk: medium\n    confirm: ok?\n    sql: DELETE FROM etl_alert_history WHERE resolved", "11:10"),
        ("  - action: purge\n    risk: low\n    confirm: ok?\n    sql: |\n      SELECT 1;\n      truncate etl_alert_history", "13:7"),
        ("  - action: purge\n    confirm: ok?\n    sql: DROP TABLE etl_file_archive", "10:10"),
        ("  - action: purge\n    risk: high\n    confirm: ok?\n    sql: DELETE FROM etl_alert_history", nil),
        ("  - action: move\n    risk: medium\n    undo: the rows are in etl_file_archive\n    confirm: ok?\n    sql: DELETE FROM etl_file", nil),
        ("  - action: make\n    risk: low\n    confirm: ok?\n    sql: CREATE TABLE x (id int REFERENCES etl_file ON DELETE SET NULL)", nil),
        ("  - action: note\n    risk: low\n    confirm: ok?\n    sql: \"SELECT 'DELETE' AS word -- DROP\"", nil),
        ("  - action: move\n    risk: medium\n    undo: \"  \"\n    confirm: ok?\n    sql: DELETE FROM etl_file", "12:10"),
    ] as [(String, String?)])
    func rule(action: String, expected: String?) {
        let diagnostics = home.lint("t", runbook(action))
        let destructive = diagnostics.filter { $0.contains("cannot be taken back") }
        if let expected {
            #expect(destructive.count == 1 && destructive[0].hasPrefix(expected + ":"), "\(diagnostics)")
            #expect(destructive.first?.contains("risk: high") == true)
        } else {
            #expect(diagnostics.isEmpty, "\(diagnostics)")
        }
    }

    @Test func undoIsOnlyForActions() {
        let diagnostics = home.lint("t", runbook("  - check: d\n    undo: nothing\n    sql: SELECT 1"))
        #expect(diagnostics.contains { $0.contains("'undo' is only for actions") }, "\(diagnostics)")
    }

    @Test func keywordScanner() {
        #expect(DestructiveSQLRule.firstDestructiveKeyword(in: "SELECT 1 /* DELETE */; $$ DROP $$")?.keyword == nil)
        #expect(DestructiveSQLRule.firstDestructiveKeyword(in: "WITH moved AS (delete FROM t RETURNING *) SELECT 1")?.keyword == "DELETE")
        #expect(DestructiveSQLRule.firstDestructiveKeyword(in: "SELECT \"drop\" FROM t")?.keyword == nil)
        #expect(DestructiveSQLRule.firstDestructiveKeyword(in: "ALTER TABLE t DROP COLUMN c")?.offset == 14)
    }

    /// The project's own runbooks follow the rule (runbook lint in make test checks them all).
    @Test func projectRunbooksLint() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let loader = RunbookLoader(home: root)
        for name in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("runbooks").path) where name.hasSuffix(".yaml") {
            let diagnostics = loader.loadRunbook(at: root.appendingPathComponent("runbooks/\(name)")).diagnostics
            #expect(!diagnostics.contains { $0.message.contains("cannot be taken back") }, "\(name): \(diagnostics)")
        }
    }
}
