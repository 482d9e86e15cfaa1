import Foundation
import Testing
@testable import RunbookCore

/// Every lint error the format promises, each with its line and column.
@Suite("Runbook loader and validator")
struct LoaderTests {
    let home = TestHome()

    func expectError(_ yaml: String, _ expected: String, id: String = "t", sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let diagnostics = home.lint(id, yaml)
        #expect(diagnostics.contains { $0.hasPrefix(expected) || $0.contains(expected) }, "expected '\(expected)' in \(diagnostics)", sourceLocation: sourceLocation)
    }

    @Test func validRunbookLoadsWithEverything() throws {
        home.write("checks/top.yaml", """
            check: top
            title: Top
            inputs:
              n: {type: int, default: 3}
            shell: [echo, "${{ inputs.n }}"]
            thresholds:
              red: int(trim(result.stdout)) > 5
            """)
        home.write("templates/note.md", "hi ${{ run.runbook }}")
        let (runbook, diagnostics) = home.runbook("t", """
            runbook: t
            title: "T"
            severity: P2
            owner: etl-team
            inputs:
              window_hours: {type: int, default: 4}
              mode: {type: enum, values: [fast, slow], default: fast}
            steps:
              - check: a
                shell: [echo, "${{ inputs.window_hours }}"]
                thresholds: {red: result.exit_code != 0, yellow: "false"}
                timeout: 500ms
              - check: b
                use: top
                with: {n: inputs.window_hours}
              - action: fix
                when: steps.a.status == "red"
                risk: high
                confirm: "Fix ${{ inputs.window_hours }}?"
                shell: [echo, fix]
              - check: a-again
                same-as: a
                retry: {until: result.exit_code == 0, every: 1s, for: 3s}
              - notify: note
                template: note
            """)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let r = try #require(runbook)
        #expect(r.steps.map(\.id) == ["a", "b", "fix", "a-again", "note"])
        #expect(r.steps[0].timeout == .milliseconds(500))
        #expect(r.steps[1].use?.checkID == "top")
        #expect(r.steps[1].thresholds.count == 1)
        #expect(r.steps[2].risk == .high)
        #expect(r.steps[3].retry?.total == .seconds(3))
        #expect(r.sha256.count == 64)
    }

    @Test func yamlSyntaxError() {
        expectError("runbook: t\ntitle: [unclosed\nsteps: []\n", "3:6: YAML syntax error")
    }

    @Test func duplicateKeyPointsAtTheSecond() {
        expectError("runbook: t\ntitle: A\ntitle: B\nsteps:\n  - check: a\n    shell: [true]\n", "3:1: duplicate key 'title'")
    }

    @Test func unknownKeysWithSuggestions() {
        expectError("runbook: t\ntitel: A\nsteps:\n  - check: a\n    shell: [true]\n", "2:1: unknown key 'titel' in runbook (did you mean 'title'?)")
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    shel: [true]\n", "5:5: unknown key 'shel' in step 'a' (did you mean 'shell'?)")
    }

    @Test func wrongTypes() {
        expectError("runbook: t\ntitle: [a, b]\nsteps:\n  - check: a\n    shell: [true]\n", "2:8: 'title' must be a string, found a list")
        expectError("runbook: t\ntitle: A\nsteps: {a: 1}\n", "3:8: 'steps' must be a list")
        expectError("runbook: t\ntitle: A\ninputs:\n  n: {type: int, default: four}\nsteps:\n  - check: a\n    shell: [true]\n",
                    "4:27: default of input 'n' must be an integer, found a string")
        expectError("runbook: t\ntitle: A\ninputs:\n  n: {type: integer}\nsteps:\n  - check: a\n    shell: [true]\n", "4:13: unknown input type 'integer'")
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    shell: [true]\n    timeout: soon\n", "6:14: 'timeout' must be a duration")
    }

    @Test func stepDrivers() {
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    title: nothing\n", "4:5: step 'a' has nothing to run")
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    shell: [true]\n    sql: SELECT 1\n", "6:5: step 'a' has two drivers, 'shell' and 'sql'")
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    shell: grep -c ERROR log\n", "5:12: 'shell' must be a list of arguments")
    }

    @Test func duplicateStepIDs() {
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    shell: [true]\n  - check: a\n    shell: [false]\n", "6:5: duplicate step id 'a' (first used at line 4)")
    }

    @Test func idMustMatchFileName() {
        expectError("runbook: other\ntitle: A\nsteps:\n  - check: a\n    shell: [true]\n", "1:10: runbook id 'other' differs from the file name 't'")
    }

    @Test func unknownReferences() {
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: error-rate\n    shell: [true]\n  - check: b\n    when: steps.error-rat.status == 'red'\n    shell: [true]\n",
                    "7:11: in 'when' of step 'b': unknown step 'error-rat' (did you mean 'error-rate'?)")
        expectError("runbook: t\ntitle: A\ninputs:\n  window_hours: {type: int, default: 4}\nsteps:\n  - check: a\n    shell: [echo, \"${{ inputs.window_hour }}\"]\n",
                    "unknown input 'window_hour' of this runbook (did you mean 'window_hours'?)")
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    use: top-errorz\n", "5:10: no reusable check 'top-errorz' in checks/")
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    same-as: b\n", "5:14: same-as names 'b', which is not an earlier step")
    }

    @Test func referenceToALaterStep() {
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    when: steps.b.status == 'red'\n    shell: [true]\n  - check: b\n    shell: [true]\n",
                    "5:11: in 'when' of step 'a': step 'b' runs later")
    }

    @Test func expressionsThatDoNotParse() {
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    shell: [true]\n    thresholds:\n      red: result.exit_code = 1\n",
                    "7:29: in 'thresholds.red': '=' is not an operator")
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    shell: [echo, \"${{ 1 + }}\"]\n", "in 'shell': expected a value")
    }

    @Test func actionWithoutConfirm() {
        expectError("runbook: t\ntitle: A\nsteps:\n  - action: fix\n    shell: [true]\n", "4:5: action 'fix' needs 'confirm:'")
    }

    @Test func httpCheckMustBeGetOrHead() {
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    http: {method: POST, url: 'http://x/y'}\n", "5:20: a check may only use GET or HEAD")
    }

    @Test func sqlCannotBeInterpolatedAndParamsMustMatch() {
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    sql: \"SELECT ${{ inputs.x }}\"\n", "5:18: SQL cannot be built by interpolation")
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    sql: SELECT :n::int\n", "':n' has no value in 'params:'")
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    sql: SELECT 1\n    params: {n: 1}\n", "param 'n' is not used in the SQL")
    }

    @Test func misplacedKeysSayWhereTheyBelong() {
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    shell: [true]\n    risk: high\n", "6:5: 'risk' is only for actions, and 'a' is a check")
        expectError("runbook: t\ntitle: A\nsteps:\n  - action: a\n    confirm: ok?\n    shell: [true]\n    thresholds: {red: 'true'}\n", "7:5: 'thresholds' is only for checks")
    }

    @Test func resultOnlyInThresholds() {
        expectError("runbook: t\ntitle: A\nsteps:\n  - check: a\n    when: result.exit_code == 0\n    shell: [true]\n", "'result' is only known in thresholds and retry.until")
    }

    @Test func everyErrorIsReportedNotJustTheFirst() {
        let diagnostics = home.lint("t", "runbook: t\ntitel: A\nsteps:\n  - check: a\n    shel: [true]\n  - action: b\n    shell: [true]\n")
        #expect(diagnostics.count >= 4, "\(diagnostics)")
    }

    @Test func sqlPlaceholdersSkipStringsCastsAndComments() {
        #expect(SQLTokenizer.placeholderNames("SELECT ':no', x::int, :yes -- :nope\n FROM t WHERE a = :yes AND b = :other /* :c */") == ["yes", "other"])
        let (text, names) = SQLTokenizer.numbered("SELECT :a, :b, :a")
        #expect(text == "SELECT $1, $2, $1")
        #expect(names == ["a", "b"])
    }
}
