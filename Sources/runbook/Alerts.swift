import ArgumentParser
import Foundation
import RunbookCore

/// `runbook alerts`: the Prometheus rules of `alerts/` and the runbooks that answer them.
struct Alerts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "The alert rules of alerts/ and the runbooks whose triggers answer them (docs/alerts.md).",
        subcommands: [AlertsCoverage.self])
}

/// `runbook alerts coverage`: every rule and its runbooks, every trigger and its rule.
/// Exit 0 all covered · 1 a rule without a runbook (or not the one its annotation names), or a
/// trigger naming no rule · 2 invalid (a rules file or a runbook that does not load).
struct AlertsCoverage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "List every alert rule with the runbooks that answer it and every trigger with its rule; exit 1 when a rule has none.")

    @OptionGroup var home: HomeOptions

    func run() throws {
        let loader = home.loader
        let rules = loader.alertRules
        var invalid = !rules.diagnostics.isEmpty
        for d in rules.diagnostics { printError(d.description) }
        if rules.files.isEmpty {
            throw CommandFailure(.usage, "error: no *.rules.yaml in \(loader.relativePath(loader.alertsDirectory))")
        }
        var runbooks: [Runbook] = []
        for file in loader.runbookFiles() {
            guard let url = loader.url(forRunbook: file.id) else { continue }
            let (runbook, diagnostics) = loader.loadRunbook(at: url)
            for d in diagnostics where d.severity == .error { printError(d.description) }
            if let runbook { runbooks.append(runbook) } else { invalid = true }
        }
        let coverage = AlertCoverage(rules: rules.rules, runbooks: runbooks)
        print(coverage.text, terminator: "")
        if invalid { throw CommandFailure(.usage) }
        if !coverage.complete { throw CommandFailure(.failed) }
    }
}
