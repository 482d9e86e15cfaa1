import Foundation
import Testing

/// `runbook test`, `runbook schema` and `runbook new` run as a user runs them: the built binary,
/// in a throw-away project folder; exit codes by DESIGN.md's contract.
@Suite("runbook test, schema and new: the binary")
struct RunbookTestCLITests {
    let cli: CLITests

    init() throws {
        cli = try CLITests()
        try FileManager.default.createDirectory(at: cli.home.appendingPathComponent("runbook-tests"), withIntermediateDirectories: true)
    }

    @Test func passFailAndInvalidExitZeroOneTwo() throws {
        _ = try cli.runbook(["new", "queue-depth"])
        var out = try cli.runbook(["test", "queue-depth", "--coverage", "--junit", "junit.xml"])
        #expect(out.code == 1, "one case leaves the red and yellow rules uncovered: \(out.stdout)")
        #expect(out.stdout.contains("  ok    nothing-waiting"), "\(out.stdout)")
        #expect(out.stdout.contains("step 'waiting-files' thresholds.red 'result.rows[0].waiting > 100': never true"), "\(out.stdout)")
        let junit = try String(contentsOf: cli.home.appendingPathComponent("junit.xml"), encoding: .utf8)
        #expect(junit.contains("<testcase classname=\"queue-depth\" name=\"nothing-waiting\""), "\(junit)")

        cli.write("runbook-tests/queue-depth.yaml", """
            runbook: queue-depth
            fixtures:
              waiting-files: {rows: [{waiting: 0}]}
            cases:
              - case: over-the-limit
                fixtures: {waiting-files: {rows: [{waiting: 101}]}}
                expect: {exit: 1, steps: {waiting-files: red}}
              - case: at-the-limit
                fixtures: {waiting-files: {rows: [{waiting: 100}]}}
                expect: {exit: 1, steps: {waiting-files: red}}
              - case: none
                expect: {exit: 0, status: green}

            """)
        out = try cli.runbook(["test", "queue-depth", "--coverage"])
        #expect(out.code == 1, "\(out.stdout)")
        #expect(out.stdout.contains("  FAIL  at-the-limit  (runbook-tests/queue-depth.yaml:8:5)"), "\(out.stdout)")
        #expect(out.stdout.contains("runbook-tests/queue-depth.yaml:10:31: step 'waiting-files': expected red, got yellow"), "\(out.stdout)")
        #expect(out.stdout.contains("3 cases, 1 failed, 1 runbook, 0 rules uncovered"), "\(out.stdout)")

        cli.write("runbook-tests/queue-depth.yaml", """
            runbook: queue-depth
            cases:
              - case: typo
                expct: {exit: 0}

            """)
        out = try cli.runbook(["test", "queue-depth"])
        #expect(out.code == 2, "\(out.stdout)")
        #expect(out.stdout.contains("runbook-tests/queue-depth.yaml:4:5: error: unknown key 'expct' in case (did you mean 'expect'?)"), "\(out.stdout)")
        out = try cli.runbook(["lint"])
        #expect(out.code == 2, "lint reads runbook-tests/ too: \(out.stdout)")
        #expect(out.stdout.contains("runbook-tests/queue-depth.yaml:4:5: error: unknown key 'expct'"), "\(out.stdout)")
    }

    @Test func newWritesFilesThatLintAndPass() throws {
        var out = try cli.runbook(["new", "disk-full"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stdout == "wrote runbooks/disk-full.yaml\nwrote runbook-tests/disk-full.yaml\n", "\(out.stdout)")
        let text = try String(contentsOf: cli.home.appendingPathComponent("runbooks/disk-full.yaml"), encoding: .utf8)
        #expect(text.hasPrefix("# yaml-language-server: $schema=../schema/runbook.schema.json\n"))
        out = try cli.runbook(["lint"])
        #expect(out.code == 0, "\(out.stdout)\(out.stderr)")
        out = try cli.runbook(["test", "disk-full"])
        #expect(out.code == 0, "\(out.stdout)")
        out = try cli.runbook(["new", "disk-full"])
        #expect(out.code == 2 && out.stderr.contains("exists already"), "\(out.stderr)")
        out = try cli.runbook(["new", "Disk Full"])
        #expect(out.code == 2, "\(out.stderr)")
    }

    @Test func schemaPrintsTheCommittedFiles() throws {
        for format in ["runbook", "check", "environment", "test"] {
            let out = try cli.runbook(["schema", format])
            #expect(out.code == 0)
            let committed = try String(contentsOf: CLITests.packageRoot.appendingPathComponent("schema/\(format).schema.json"), encoding: .utf8)
            #expect(out.stdout == committed, "schema/\(format).schema.json")
        }
        let out = try cli.runbook(["schema", "runbok"])
        #expect(out.code == 2 && out.stderr.contains("did you mean 'runbook'?"), "\(out.stderr)")
    }
}
