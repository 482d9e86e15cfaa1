import Foundation
import Testing

/// `runbook alerts coverage` and lint's trigger check, through the built binary.
@Suite("runbook alerts: rules of alerts/ and the runbooks that answer them")
struct AlertsCLITests {
    let cli: CLITests

    init() throws { cli = try CLITests() }

    static let rules = """
        groups:
          - name: etl
            rules:
              - alert: DemoHigh
                expr: demo_level > 5
                labels: {severity: critical}
                annotations: {runbook: demo, console_url: "/?runbook=demo"}
              - alert: DemoGone
                expr: absent(demo_level)
                annotations: {runbook: demo}
        """

    func demo(triggers: String) -> String {
        """
        runbook: demo
        title: Demo
        \(triggers)
        inputs:
          level: {type: int, default: 1}
        steps:
          - check: level
            shell: [echo, "${{ inputs.level }}"]
        """
    }

    @Test("the shipped rules: every one answered by the runbook its annotation names")
    func shippedCoverage() throws {
        let out = try cli.runbook(["alerts", "coverage", "--dir", CLITests.packageRoot.path])
        #expect(out.code == 0, "\(out.stdout)\(out.stderr)")
        for (alert, runbook) in [("EtlPipelineStopped", "scenario-1-pipeline-stopped"), ("EtlHighErrorRate", "scenario-2-high-error-rate"),
                                 ("EtlDeadLetterQueueFull", "scenario-3-dlq-full"), ("EtlProcessingSlow", "scenario-4-performance-degradation"),
                                 ("EtlFilesPendingOverOneHour", "pending-files"), ("EtlLogDiskLow", "weekly-maintenance")] {
            #expect(out.stdout.split(separator: "\n").contains { $0.contains(alert) && $0.hasSuffix("-> \(runbook)") }, "\(alert): \(out.stdout)")
        }
        #expect(out.stdout.hasSuffix("8 rules, 8 covered, 0 uncovered; 8 triggers, 0 naming no rule\n"), "\(out.stdout)")
    }

    @Test("a rule without a runbook exits 1 and is named; covering it exits 0")
    func uncoveredRule() throws {
        try FileManager.default.createDirectory(at: cli.home.appendingPathComponent("alerts"), withIntermediateDirectories: true)
        cli.write("alerts/demo.rules.yaml", Self.rules)
        cli.write("runbooks/demo.yaml", demo(triggers: "triggers:\n  - alert: DemoHigh\n    inputs: {level: level}"))
        let partial = try cli.runbook(["alerts", "coverage"])
        #expect(partial.code == 1, "\(partial.stdout)\(partial.stderr)")
        #expect(partial.stdout.contains("DemoGone") && partial.stdout.contains("(no runbook)  UNCOVERED (alerts/demo.rules.yaml:8:"), "\(partial.stdout)")
        #expect(partial.stdout.contains("demo  DemoHigh  -> rule at alerts/demo.rules.yaml:4:"), "\(partial.stdout)")
        cli.write("runbooks/demo.yaml", demo(triggers: "triggers:\n  - alert: DemoHigh\n  - alert: DemoGone"))
        let full = try cli.runbook(["alerts", "coverage"])
        #expect(full.code == 0, "\(full.stdout)\(full.stderr)")
        #expect(full.stdout.hasSuffix("2 rules, 2 covered, 0 uncovered; 2 triggers, 0 naming no rule\n"))
    }

    @Test("lint refuses a trigger naming no rule, at its line; coverage without alerts/ is invalid")
    func lintAndMissingRules() throws {
        cli.write("runbooks/demo.yaml", demo(triggers: "triggers:\n  - alert: DemoHihg"))
        let noRules = try cli.runbook(["alerts", "coverage"])
        #expect(noRules.code == 2)
        #expect(noRules.stderr.contains("error: no *.rules.yaml in alerts"), "\(noRules.stderr)")
        try FileManager.default.createDirectory(at: cli.home.appendingPathComponent("alerts"), withIntermediateDirectories: true)
        cli.write("alerts/demo.rules.yaml", Self.rules)
        let lint = try cli.runbook(["lint"])
        #expect(lint.code == 2)
        #expect(lint.stdout.contains("runbooks/demo.yaml:4:5: error: trigger names alert 'DemoHihg', but no rule in alerts/demo.rules.yaml defines it (did you mean 'DemoHigh'?)"), "\(lint.stdout)")
        let coverage = try cli.runbook(["alerts", "coverage"])
        #expect(coverage.code == 1)
        #expect(coverage.stdout.contains("NO RULE (runbooks/demo.yaml:4:5)"), "\(coverage.stdout)")
        // A rules file that is not YAML: invalid, exit 2, with its place.
        cli.write("alerts/broken.rules.yaml", "groups: [\n")
        let broken = try cli.runbook(["alerts", "coverage"])
        #expect(broken.code == 2)
        #expect(broken.stderr.contains("alerts/broken.rules.yaml:"), "\(broken.stderr)")
    }
}
