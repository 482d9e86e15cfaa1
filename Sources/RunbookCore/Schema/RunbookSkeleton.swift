public import Foundation

/// `runbook new ID`: a runbook to fill in and its test file with one case, both valid as
/// written (each names its schema for editors).
public enum RunbookSkeleton {
    /// Why nothing was written.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public var description: String
    }

    /// Writes `runbooks/<id>.yaml` and `runbook-tests/<id>.yaml` under `home`; returns their
    /// paths. Refuses a malformed id or an existing file, writing nothing.
    public static func write(id: String, home: URL) throws(Refusal) -> [URL] {
        guard RunbookLoader.isStepID(id), id.count <= 80 else {
            throw Refusal(description: "runbook id '\(id)' must be lower-case letters, digits, '-' and '_' (it is also the file name)")
        }
        let runbook = home.appendingPathComponent("runbooks/\(id).yaml")
        let tests = home.appendingPathComponent("\(RunbookTestLoader.folder)/\(id).yaml")
        for url in [runbook, tests] where FileManager.default.fileExists(atPath: url.path) {
            throw Refusal(description: "\(url.path) exists already; nothing was written")
        }
        do {
            for (url, text) in [(runbook, runbookText(id)), (tests, testText(id))] {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url, options: .withoutOverwriting)
            }
        } catch {
            throw Refusal(description: "cannot write: \(error.localizedDescription)")
        }
        return [runbook, tests]
    }

    static func runbookText(_ id: String) -> String {
        """
        # yaml-language-server: $schema=../schema/runbook.schema.json
        runbook: \(id)
        title: "A FAZER: para que serve este runbook"
        description: |
          A FAZER: o sintoma que responde, o que confere, o que repara, e quando não usar.
        severity: P3
        owner: etl-team
        inputs:
          older_than_minutes: {type: int, default: 60, description: "Pendente há mais de (minutos)"}
        steps:
          - check: waiting-files
            title: Arquivos esperando há mais do limite
            sql: |
              SELECT count(*) AS waiting
              FROM etl_file
              WHERE status IN ('uploaded', 'processing')
                AND uploaded_at < now() - make_interval(mins => :older_than_minutes)
            params: {older_than_minutes: inputs.older_than_minutes}
            thresholds:
              red: result.rows[0].waiting > 100
              yellow: result.rows[0].waiting > 0

        """
    }

    static func testText(_ id: String) -> String {
        """
        # yaml-language-server: $schema=../schema/test.schema.json
        # Cases for runbooks/\(id).yaml: runbook test \(id) --coverage (docs/authoring.md).
        runbook: \(id)
        fixtures:
          waiting-files: {rows: [{waiting: 0}]}
        cases:
          - case: nothing-waiting
            expect: {exit: 0, status: green, steps: {waiting-files: green}}

        """
    }
}
