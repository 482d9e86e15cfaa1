/// One entry of a runbook's `triggers:`: an Alertmanager alert this runbook answers
/// (docs/alerts.md).
///
/// ```yaml
/// triggers:
///   - alert: EtlHighErrorRate          # the rule's alert name, in alerts/*.rules.yaml
///     matchers: {severity: critical}   # labels the alert must carry, exactly
///     inputs: {window_hours: window}   # input <- the alert's label of that name
/// ```
public struct Trigger: Sendable, Equatable {
    /// A label the alert must carry with exactly this value.
    public struct Matcher: Sendable, Equatable {
        public var label: String
        public var value: String
    }

    /// An input of the runbook taken from one of the alert's labels.
    public struct InputLabel: Sendable, Equatable {
        public var input: String
        public var label: String
    }

    /// The alert's name (`alertname`), as the rule in `alerts/` spells it.
    public var alert: String
    /// Labels the alert must carry, in file order.
    public var matchers: [Matcher]
    /// Inputs of the runbook filled from the alert's labels, in file order.
    public var inputs: [InputLabel]
    /// Where the trigger is written (lint reports unknown alerts here).
    public var location: SourceLocation

    /// A trigger.
    public init(alert: String, matchers: [Matcher] = [], inputs: [InputLabel] = [], location: SourceLocation) {
        self.alert = alert
        self.matchers = matchers
        self.inputs = inputs
        self.location = location
    }

    /// Whether an alert with these labels (including `alertname`) is one this trigger answers.
    public func matches(_ labels: [String: String]) -> Bool {
        labels["alertname"] == alert && matchers.allSatisfy { labels[$0.label] == $0.value }
    }

    /// The runbook's inputs as text from the alert's labels; a label the alert lacks gives
    /// no input (the input's default applies).
    public func inputValues(from labels: [String: String]) -> [(name: String, value: String)] {
        inputs.compactMap { mapping in labels[mapping.label].map { (mapping.input, $0) } }
    }
}
