import Foundation
import Testing
@testable import RunbookCore

/// `triggers:` (the alerts a runbook answers), the rules of `alerts/`, and their coverage.
@Suite struct TriggerTests {
    let home = TestHome()

    static let rules = """
        groups:
          - name: etl
            rules:
              - record: job:x:sum
                expr: sum(x)
              - alert: EtlHighErrorRate
                expr: x > 0.1
                labels: {severity: critical}
                annotations: {runbook: r}
              - alert: EtlDeadLetterQueueFull
                expr: y > 100
                annotations: {runbook: other}
        """

    func runbook(_ triggers: String, inputs: String = "  window: {type: int, default: 4}\n") -> String {
        "runbook: r\ntitle: R\n\(triggers)inputs:\n\(inputs)steps:\n  - check: a\n    shell: [true]\n"
    }

    @Test func triggersAreParsedWithMatchersAndInputs() throws {
        let (runbook, diagnostics) = home.runbook("r", runbook("""
            triggers:
              - alert: EtlHighErrorRate
                matchers: {severity: critical, job: etl-core}
                inputs: {window: window_hours}
              - alert: "ns:EtlOther"

            """))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let triggers = try #require(runbook?.triggers)
        #expect(triggers.count == 2)
        #expect(triggers[0].alert == "EtlHighErrorRate")
        #expect(triggers[0].matchers == [.init(label: "severity", value: "critical"), .init(label: "job", value: "etl-core")])
        #expect(triggers[0].inputs == [.init(input: "window", label: "window_hours")])
        #expect(triggers[0].location.line == 4)
        #expect(triggers[0].matches(["alertname": "EtlHighErrorRate", "severity": "critical", "job": "etl-core", "instance": "x"]))
        #expect(!triggers[0].matches(["alertname": "EtlHighErrorRate", "severity": "warning", "job": "etl-core"]))
        #expect(!triggers[0].matches(["alertname": "EtlOther", "severity": "critical", "job": "etl-core"]))
        #expect(triggers[0].inputValues(from: ["window_hours": "2"]).map { "\($0.name)=\($0.value)" } == ["window=2"])
        #expect(triggers[0].inputValues(from: [:]).isEmpty)
    }

    @Test func badTriggersAreErrorsAtTheirPlace() {
        #expect(home.lint("r", runbook("triggers: EtlHighErrorRate\n")) == ["3:11: 'triggers' must be a list of {alert, matchers, inputs}, found a string"])
        #expect(home.lint("r", runbook("triggers:\n  - alert: A\n    matcher: {a: b}\n")) == ["5:5: unknown key 'matcher' in trigger (did you mean 'matchers'?)"])
        #expect(home.lint("r", runbook("triggers:\n  - matchers: {a: b}\n")) == ["4:5: trigger needs 'alert': the alert name of a rule in alerts/"])
        #expect(home.lint("r", runbook("triggers:\n  - alert: 9lives\n")) == ["4:12: alert name '9lives' must be letters, digits, underscores and colons, not starting with a digit"])
        #expect(home.lint("r", runbook("triggers:\n  - alert: A\n    inputs: {windw: w}\n")) == ["5:14: trigger input 'windw' is not an input of this runbook (did you mean 'window'?)"])
        #expect(home.lint("r", runbook("triggers:\n  - alert: A\n    inputs: {window: 'a-b'}\n")) == ["5:14: trigger input 'window' must name an alert label (letters, digits, underscores), found 'a-b'"])
        #expect(home.lint("r", runbook("triggers:\n  - alert: A\n    matchers: {alertname: A}\n")) == ["5:16: 'alertname' is the trigger's 'alert'; do not repeat it in matchers"])
        #expect(home.lint("r", runbook("triggers:\n  - alert: A\n    matchers: {severity: [a]}\n")) == ["5:26: 'matchers.severity' must be text, found a list"])
        #expect(home.lint("r", runbook("triggers:\n  - alert: A\n    matchers: {'bad-label': x}\n")) == ["5:16: 'matchers' keys must be names of letters, digits and underscores"])
        #expect(home.lint("r", runbook("triggers:\n  - alert: A\n  - alert: A\n")) == ["5:5: duplicate trigger for alert 'A' with the same matchers (first at line 4)"])
        // The same alert with different matchers is two triggers.
        #expect(home.lint("r", runbook("triggers:\n  - alert: A\n    matchers: {severity: warning}\n  - alert: A\n")).isEmpty)
    }

    @Test func lintRefusesATriggerNamingNoRule() throws {
        home.write("runbooks/r.yaml", runbook("triggers:\n  - alert: EtlHighErorRate\n"))
        let url = home.url.appendingPathComponent("runbooks/r.yaml")
        // No alerts/ at all.
        let none = home.loader.diagnostics(ofRunbookAt: url).map(\.message)
        #expect(none == ["trigger names alert 'EtlHighErorRate', but alerts/ has no *.rules.yaml"])
        try FileManager.default.createDirectory(at: home.url.appendingPathComponent("alerts"), withIntermediateDirectories: true)
        home.write("alerts/etl.rules.yaml", Self.rules)
        let diagnostics = home.loader.diagnostics(ofRunbookAt: url)
        #expect(diagnostics.map(\.message) == ["trigger names alert 'EtlHighErorRate', but no rule in \(home.loader.relativePath(home.url.appendingPathComponent("alerts/etl.rules.yaml"))) defines it (did you mean 'EtlHighErrorRate'?)"])
        #expect(diagnostics.first?.location.line == 4)
        // Loading for a run does not read alerts/: only lint does.
        #expect(home.loader.loadRunbook(at: url).diagnostics.isEmpty)
        home.write("runbooks/r.yaml", runbook("triggers:\n  - alert: EtlHighErrorRate\n"))
        #expect(home.loader.diagnostics(ofRunbookAt: url).isEmpty)
    }

    @Test func rulesFilesAreReadWithTheirProblems() throws {
        let (rules, diagnostics) = AlertRuleSet.parse(path: "a.rules.yaml", text: Self.rules)
        #expect(diagnostics.isEmpty)
        #expect(rules.map(\.name) == ["EtlHighErrorRate", "EtlDeadLetterQueueFull"])
        #expect(rules[0].runbook == "r" && rules[0].severity == "critical" && rules[0].location.line == 6)
        #expect(AlertRuleSet.parse(path: "b", text: "groups: {}").1.map(\.message) == ["a rules file needs 'groups', a list of {name, rules}"])
        #expect(AlertRuleSet.parse(path: "b", text: "groups:\n  - name: g\n    rules:\n      - alert: [x]\n").1.map(\.message) == ["'alert' must be the alert's name"])
        #expect(AlertRuleSet.parse(path: "b", text: "groups: [").1.count == 1)
        try FileManager.default.createDirectory(at: home.url.appendingPathComponent("alerts"), withIntermediateDirectories: true)
        home.write("alerts/a.rules.yaml", Self.rules)
        home.write("alerts/b.rules.yml", "groups:\n  - name: g\n    rules:\n      - alert: EtlHighErrorRate\n        expr: up == 0\n")
        home.write("alerts/notes.yaml", "not: rules")
        let set = home.loader.alertRules
        #expect(set.files.count == 2)
        #expect(set.rules.count == 2)
        #expect(set.diagnostics.count == 1 && set.diagnostics[0].message.hasPrefix("alert 'EtlHighErrorRate' is defined twice"), "\(set.diagnostics)")
    }

    @Test func coverageListsRulesAndTriggersAndFindsTheGaps() throws {
        let (rules, _) = AlertRuleSet.parse(path: "a.rules.yaml", text: Self.rules)
        let location = SourceLocation(path: "runbooks/r.yaml", line: 4, column: 5)
        var r = Runbook(id: "r", title: "R", path: "runbooks/r.yaml", sha256: "")
        r.triggers = [Trigger(alert: "EtlHighErrorRate", location: location), Trigger(alert: "EtlGone", location: location)]
        var other = Runbook(id: "other", title: "O", path: "runbooks/other.yaml", sha256: "")
        let partial = AlertCoverage(rules: rules, runbooks: [r, other])
        #expect(partial.rules.map(\.runbooks) == [["r"], []])
        #expect(partial.uncoveredRules.map(\.rule.name) == ["EtlDeadLetterQueueFull"])
        #expect(partial.orphanTriggers.map(\.trigger.alert) == ["EtlGone"])
        #expect(!partial.complete)
        #expect(partial.text.contains("EtlDeadLetterQueueFull  -         -> (no runbook)  UNCOVERED (a.rules.yaml:10:"), "\(partial.text)")
        #expect(partial.text.contains("NO RULE (runbooks/r.yaml:4:5)"))
        #expect(partial.text.hasSuffix("2 rules, 1 covered, 1 uncovered; 2 triggers, 1 naming no rule\n"))
        // Answered, but not by the runbook its annotation sends people to.
        var wrong = r
        wrong.triggers = [Trigger(alert: "EtlHighErrorRate", location: location), Trigger(alert: "EtlDeadLetterQueueFull", location: location)]
        let mismatch = AlertCoverage(rules: rules, runbooks: [wrong, other])
        #expect(mismatch.uncoveredRules.map(\.rule.name) == ["EtlDeadLetterQueueFull"])
        #expect(mismatch.text.contains("MISMATCH: its runbook annotation names other, which has no trigger for it"))
        other.triggers = [Trigger(alert: "EtlDeadLetterQueueFull", location: location)]
        r.triggers = [Trigger(alert: "EtlHighErrorRate", location: location)]
        let full = AlertCoverage(rules: rules, runbooks: [r, other])
        #expect(full.complete)
        #expect(full.text.hasSuffix("2 rules, 2 covered, 0 uncovered; 2 triggers, 0 naming no rule\n"))
    }
}
