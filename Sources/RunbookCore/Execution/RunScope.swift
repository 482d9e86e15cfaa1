public import Foundation

/// What a run's expressions and templates see: `inputs`, `env`, `steps` (every step so far)
/// and `run` (identity, timing, findings, escalation). One type for `runbook run` and
/// `runbook plan`, so the two cannot drift: a plan's scope is the same with placeholders
/// where only a run can know the value.
public struct RunScope: Sendable {
    /// What is being run: runbook, environment, inputs, mode, operator.
    public let request: Executor.Request
    /// When the run began; `run.started_at` and `run.elapsed_minutes` count from it.
    public let startedAt: Date
    /// `runbook plan`: unknown values show as `<placeholders>`.
    public let planning: Bool
    private(set) var steps = ValueObject()
    private(set) var reports: [StepReport] = []

    /// A scope with no step recorded yet. In a plan every step is already readable, with
    /// placeholders (`steps.<id>.status` is `<id.status>`, its result null).
    public init(request: Executor.Request, startedAt: Date) {
        self.request = request
        self.startedAt = startedAt
        self.planning = request.mode.renderOnly
        if planning {
            for step in request.runbook.steps {
                steps[step.id] = .object([("status", .string("<\(step.id).status>")), ("result", .null), ("duration_ms", 0),
                                          ("error", .null), ("attempts", 0), ("kind", .string(step.kind.rawValue))])
            }
        }
    }

    /// Adds a finished step, readable as `steps.<id>` from now on.
    public mutating func record(_ report: StepReport) {
        if !planning { steps[report.id] = report.scopeValue }
        reports.append(report)
    }

    /// The scope for expressions at `now`.
    public func expressionScope(now: Date = Date()) -> ExpressionScope {
        ExpressionScope([
            "inputs": .object(ValueObject(request.inputs)),
            "env": request.environment.values,
            "steps": .object(steps),
            "run": runValue(now: now),
        ])
    }

    /// `run.*`: identity, timing, a digest of findings and the escalation level, for templates.
    public func runValue(now: Date = Date()) -> Value {
        let runbook = request.runbook
        let elapsed = planning ? 0 : Int(now.timeIntervalSince(startedAt) / 60)
        let current = RunOutcome.effective(reports)
        let findings = current.filter { $0.kind == .check && $0.status != .green && $0.status != .skipped }
            .map { "- \($0.title): \($0.status.rawValue.uppercased())" + ($0.message.map { " (\($0))" } ?? "") }
        let actions = reports.filter { $0.kind == .action && $0.status != .skipped }
            .map { "- \($0.title): \($0.status.rawValue)" + ($0.command.map { " — \($0)" } ?? "") }
        let worst = current.compactMap(\.status.checkStatus).max() ?? .green
        let incidentMinutes = Int(request.incidentAge.seconds / 60) + elapsed
        let incidentStart = startedAt.addingTimeInterval(-request.incidentAge.seconds)
        func known(_ value: String, _ placeholder: String) -> Value { .string(planning ? "<\(placeholder)>" : value) }
        return .object([
            ("id", known(request.runID, "run id")), ("runbook", .string(runbook.id)), ("title", .string(runbook.title)),
            ("severity", .string(runbook.severity ?? Runbook.defaultSeverity)), ("owner", .string(runbook.owner ?? "")),
            ("description", .string(runbook.description ?? "")),
            ("environment", .string(request.environment.name)), ("mode", known(request.mode.dryRun ? "dry-run" : "live", "mode")),
            ("operator", known(request.operatorName, "operator")), ("host", known(request.host, "host")),
            ("started_at", known(RunScope.utc(startedAt), "start time")), ("now", known(RunScope.utc(now), "now")),
            ("elapsed_minutes", .int(elapsed)),
            ("status", known(worst.rawValue, "status")),
            ("findings", planning ? "<findings of the checks>" : .string(findings.isEmpty ? "- all checks green" : findings.joined(separator: "\n"))),
            ("actions", planning ? "<actions taken>" : .string(actions.isEmpty ? "- none" : actions.joined(separator: "\n"))),
            ("incident_started_at", known(RunScope.utc(incidentStart), "incident start")), ("incident_minutes", .int(incidentMinutes)),
            ("escalation", request.escalation?.value(minutes: incidentMinutes) ?? .null),
            ("incident", request.incident),
        ])
    }

    static func utc(_ date: Date) -> String { UTCTime.minutes(date) }
}
