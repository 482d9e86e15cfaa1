/// Which runbook answers which alert (`runbook alerts coverage`): every rule of `alerts/` with
/// the runbooks whose triggers name it, and every trigger with its rule. Pure: built from
/// what the loader read.
public struct AlertCoverage: Sendable {
    /// A rule and the runbooks that answer it.
    public struct RuleEntry: Sendable {
        public var rule: AlertRule
        /// Runbooks with a trigger naming this rule's alert, sorted.
        public var runbooks: [String]
        /// The rule's `runbook` annotation names a runbook that has no trigger for it (the
        /// page sends people to one runbook, the automation runs another, or none).
        public var annotationMismatch: Bool { rule.runbook.map { !runbooks.contains($0) } ?? false }
        /// No runbook answers the alert, or the one the page names does not.
        public var uncovered: Bool { runbooks.isEmpty || annotationMismatch }
    }

    /// A trigger and whether a rule defines its alert.
    public struct TriggerEntry: Sendable {
        public var runbook: String
        public var trigger: Trigger
        public var rule: AlertRule?
    }

    public var rules: [RuleEntry]
    public var triggers: [TriggerEntry]

    /// Coverage of `rules` by the triggers of `runbooks`.
    public init(rules: [AlertRule], runbooks: [Runbook]) {
        let byID = Dictionary(rules.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var answering: [String: Set<String>] = [:]
        var triggers: [TriggerEntry] = []
        for runbook in runbooks.sorted(by: { $0.id < $1.id }) {
            for trigger in runbook.triggers {
                answering[trigger.alert, default: []].insert(runbook.id)
                triggers.append(TriggerEntry(runbook: runbook.id, trigger: trigger, rule: byID[trigger.alert]))
            }
        }
        self.rules = rules.map { RuleEntry(rule: $0, runbooks: (answering[$0.name] ?? []).sorted()) }
        self.triggers = triggers
    }

    /// Rules no runbook answers (or not the one their annotation names).
    public var uncoveredRules: [RuleEntry] { rules.filter(\.uncovered) }
    /// Triggers naming an alert no rule defines.
    public var orphanTriggers: [TriggerEntry] { triggers.filter { $0.rule == nil } }
    /// Every rule covered and every trigger backed by a rule.
    public var complete: Bool { uncoveredRules.isEmpty && orphanTriggers.isEmpty }

    /// The report `runbook alerts coverage` prints.
    public var text: String {
        var lines: [String] = ["alert rules: \(rules.count)"]
        let nameWidth = max(rules.map(\.rule.name.count).max() ?? 0, triggers.map(\.trigger.alert.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        for entry in rules {
            let answered = entry.runbooks.isEmpty ? "(no runbook)" : entry.runbooks.joined(separator: ", ")
            var line = "  \(pad(entry.rule.name, nameWidth))  \(pad(entry.rule.severity ?? "-", 8))  -> \(answered)"
            if entry.runbooks.isEmpty {
                line += "  UNCOVERED (\(entry.rule.location))"
            } else if entry.annotationMismatch, let named = entry.rule.runbook {
                line += "  MISMATCH: its runbook annotation names \(named), which has no trigger for it (\(entry.rule.location))"
            }
            lines.append(line)
        }
        lines.append("triggers: \(triggers.count)")
        let runbookWidth = triggers.map(\.runbook.count).max() ?? 0
        for entry in triggers {
            let matchers = entry.trigger.matchers.map { "\($0.label)=\"\($0.value)\"" }.joined(separator: ",")
            let alert = entry.trigger.alert + (matchers.isEmpty ? "" : "{\(matchers)}")
            let rule = entry.rule.map { "rule at \($0.location)" } ?? "NO RULE (\(entry.trigger.location))"
            lines.append("  \(pad(entry.runbook, runbookWidth))  \(pad(alert, nameWidth))  -> \(rule)")
        }
        let uncovered = uncoveredRules.count
        let orphans = orphanTriggers.count
        lines.append("\(rules.count) rule\(rules.count == 1 ? "" : "s"), \(rules.count - uncovered) covered, \(uncovered) uncovered; "
                     + "\(triggers.count) trigger\(triggers.count == 1 ? "" : "s"), \(orphans) naming no rule")
        return lines.joined(separator: "\n") + "\n"
    }
}
