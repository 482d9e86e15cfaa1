/// One alerting rule of `alerts/*.rules.yaml` (Prometheus' rule format), as far as runbooks
/// care: its alert name, the runbook its annotation names, and where it is written.
public struct AlertRule: Sendable, Equatable {
    /// `alert:`, the `alertname` label of the alerts it raises.
    public var name: String
    /// `annotations.runbook`: the runbook the page points to; nil when it names none.
    public var runbook: String?
    /// `labels.severity`; nil when it sets none.
    public var severity: String?
    /// Where the rule is written.
    public var location: SourceLocation

    /// A rule.
    public init(name: String, runbook: String?, severity: String?, location: SourceLocation) {
        self.name = name
        self.runbook = runbook
        self.severity = severity
        self.location = location
    }
}
