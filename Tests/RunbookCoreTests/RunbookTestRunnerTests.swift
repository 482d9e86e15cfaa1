import Foundation
import Testing
@testable import RunbookCore

/// `runbook test`: cases run through the real executor with fixture drivers; failures name the
/// case's line; coverage counts every when and threshold both ways.
@Suite("runbook test")
struct RunbookTestRunnerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The gate CI runs: every shipped runbook has cases, every case passes, every rule is covered.
    @Test func everyShippedRunbookPassesWithFullCoverage() async throws {
        let outcomes = await RunbookTestSuite(home: Self.root).run([])
        #expect(outcomes.count >= 12)
        for o in outcomes {
            #expect(o.diagnostics.isEmpty, "\(o.runbook): \(o.diagnostics)")
            #expect(o.testPath != nil, "\(o.runbook) has no runbook-tests/\(o.runbook).yaml")
            for c in o.cases { #expect(c.passed, "\(o.runbook)/\(c.name): \(c.failures.joined(separator: "\n"))") }
            let missing = o.coverage?.rules.filter { !$0.covered }.map { "\($0.step) \($0.key): \($0.missing)" } ?? ["no coverage"]
            #expect(missing.isEmpty, "\(o.runbook): \(missing)")
        }
    }

    static let runbook = """
        runbook: rate
        title: Rate
        inputs:
          limit: {type: int, default: 10}
        steps:
          - check: error-rate
            sql: SELECT 1 AS error_rate
            thresholds:
              red: result.rows[0].error_rate > inputs.limit
              yellow: result.rows[0].error_rate >= 5
          - action: requeue
            when: steps.error-rate.status == "red"
            confirm: Requeue?
            http: {method: POST, url: "http://127.0.0.1:1/requeue"}
          - check: rate-after
            same-as: error-rate
            when: steps.requeue.status == "succeeded"
            retry: {until: "result.rows[0].error_rate < 5", every: 2s, for: 2m}

        """

    func home(tests: String) -> TestHome {
        let home = TestHome()
        home.write("runbooks/rate.yaml", Self.runbook)
        try? FileManager.default.createDirectory(at: home.url.appendingPathComponent("runbook-tests"), withIntermediateDirectories: true)
        home.write("runbook-tests/rate.yaml", tests)
        return home
    }

    @Test func aWrongVerdictFailsNamingTheCaseLineAndBothColours() async throws {
        let home = home(tests: """
            runbook: rate
            cases:
              - case: at-ten
                fixtures:
                  error-rate: {rows: [{error_rate: 10}]}
                expect: {exit: 1, steps: {error-rate: red, requeue: planned}}

            """)
        let outcome = try #require(await RunbookTestSuite(home: home.url).run(["rate"]).first)
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        let c = try #require(outcome.cases.first)
        #expect(!c.passed)
        #expect(c.location.line == 3)
        #expect(c.failures.contains { $0.hasSuffix("rate.yaml:6:20: exit: expected 1, got 0") }, "\(c.failures)")
        #expect(c.failures.contains { $0.contains("rate.yaml:6:31: step 'error-rate': expected red, got yellow") }, "\(c.failures)")
        #expect(c.failures.contains { $0.contains("step 'requeue': expected planned, got skipped") }, "\(c.failures)")
    }

    /// A live case passes every gate, the action meets its fixture, and a check retrying for
    /// two minutes every two seconds takes its 61 attempts on the virtual clock.
    @Test func liveCasesPerformActionsAndRetryOnAVirtualClock() async throws {
        let home = home(tests: """
            runbook: rate
            cases:
              - case: never-recovers
                mode: live
                fixtures:
                  error-rate: {rows: [{error_rate: 12.5}]}
                  requeue: {status: 202}
                  rate-after: {rows: [{error_rate: 11}]}
                expect: {exit: 1, steps: {error-rate: red, requeue: succeeded, rate-after: red}}

            """)
        let outcome = try #require(await RunbookTestSuite(home: home.url).run(["rate"]).first)
        let c = try #require(outcome.cases.first)
        #expect(c.passed, "\(c.failures)")
        let after = try #require(c.report?.steps.first { $0.id == "rate-after" })
        #expect(after.attempts == 61, "at 0 s, 2 s, ... 120 s")
        #expect(after.message?.contains("gave up after 61 attempts") == true, "\(after.message ?? "")")
        let rate = try #require(c.report?.steps.first { $0.id == "error-rate" })
        guard case .list(let rows)? = rate.result["rows"] else { Issue.record("no rows"); return }
        #expect(rows.first?["error_rate"] == .decimal(ExactDecimal("12.5")!), "a fraction in rows is a numeric, as PostgreSQL's driver gives it")
    }

    @Test func coverageNamesEachRuleNeverTrueOrNeverFalse() async throws {
        let home = home(tests: """
            runbook: rate
            cases:
              - case: green
                fixtures: {error-rate: {rows: [{error_rate: 1}]}}
                expect: {exit: 0}

            """)
        let outcome = try #require(await RunbookTestSuite(home: home.url).run(["rate"]).first)
        let rules = try #require(outcome.coverage).rules.map { "\($0.step) \($0.key): \($0.missing)" }
        #expect(rules == ["error-rate thresholds.red: never true", "error-rate thresholds.yellow: never true",
                          "requeue when: never true", "rate-after when: never true",
                          "rate-after thresholds.red: never evaluated", "rate-after thresholds.yellow: never evaluated"])
    }

    @Test func aCheckWithoutFixtureFailsTheCase() async throws {
        let home = home(tests: """
            runbook: rate
            cases:
              - case: forgot
                expect: {exit: 0}

            """)
        let c = try #require(await RunbookTestSuite(home: home.url).run(["rate"]).first?.cases.first)
        #expect(c.failures.contains { $0.contains("check 'error-rate' ran, but the case has no fixture for it") }, "\(c.failures)")
    }

    /// Test files are as strict as runbooks: unknown keys, steps the runbook lacks and fixtures
    /// of the wrong kind are `path:line:col: error:`, and nothing runs.
    @Test func invalidTestFilesAreRefusedWithTheirLine() async throws {
        let home = home(tests: """
            runbook: rate
            cases:
              - case: typo
                fixture: {}
                fixtures:
                  error-rates: {rows: []}
                  requeue: {rows: []}
                expect: {exit: 0, steps: {error-rate: purple}}

            """)
        let outcome = try #require(await RunbookTestSuite(home: home.url).run(["rate"]).first)
        let shown = outcome.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
        #expect(shown.contains("4:5: unknown key 'fixture' in case (did you mean 'fixtures'?)"), "\(shown)")
        #expect(shown.contains("8:43: unknown step status 'purple' (one of green, yellow, red, error, skipped, succeeded, failed, planned, declined, awaiting-approval)"), "\(shown)")
        #expect(outcome.cases.isEmpty)

        let fixed = self.home(tests: """
            runbook: rate
            cases:
              - case: typo
                fixtures:
                  error-rates: {rows: []}
                  requeue: {rows: []}
                expect: {exit: 0}

            """)
        let shownFixed = try #require(await RunbookTestSuite(home: fixed.url).run(["rate"]).first).diagnostics.map {
            "\($0.location.line):\($0.location.column): \($0.message)"
        }
        #expect(shownFixed == ["5:20: fixture: runbook 'rate' has no step 'error-rates' (did you mean 'error-rate'?)",
                               "6:16: fixture of 'requeue' is a sql answer (rows), but 'requeue' runs http"], "\(shownFixed)")
    }

    /// `runbook new` writes a runbook and a test file that lint clean and pass.
    @Test func newSkeletonLintsAndPasses() async throws {
        let home = TestHome()
        let written = try RunbookSkeleton.write(id: "disk-full", home: home.url)
        #expect(written.map(\.lastPathComponent) == ["disk-full.yaml", "disk-full.yaml"])
        #expect(home.loader.diagnostics(ofRunbookAt: written[0]).isEmpty)
        #expect(RunbookTestLoader(home: home.url).diagnostics(ofTestFileAt: written[1], loader: home.loader).isEmpty)
        let outcome = try #require(await RunbookTestSuite(home: home.url).run(["disk-full"]).first)
        #expect(outcome.cases.count == 1 && outcome.cases.allSatisfy(\.passed), "\(outcome.cases.map(\.failures))")
        #expect(throws: RunbookSkeleton.Refusal.self) { try RunbookSkeleton.write(id: "disk-full", home: home.url) }
        #expect(throws: RunbookSkeleton.Refusal.self) { try RunbookSkeleton.write(id: "../escape", home: home.url) }
    }
}
