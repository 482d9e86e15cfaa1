public import Foundation

/// The Alertmanager silence a live repair sets for the alert it answers (docs/alerts.md), as
/// API v2 takes it (`POST /api/v2/silences`, `postableSilence`): every label of the alert as
/// an exact matcher (so it silences that alert and no other), bounded in time, its comment
/// naming the run and its author the operator. Pure: the client sends ``body``.
public struct AlertSilence: Sendable {
    /// The alert's name (`alertname`), for messages.
    public var alertname: String
    /// Exact matchers, sorted by label name.
    public var matchers: [(name: String, value: String)]
    public var startsAt: Date
    public var endsAt: Date
    /// The run's operator.
    public var createdBy: String
    public var comment: String

    /// The silence of an alert with `labels` for run `runID` of `runbook`, linked to
    /// `incident`, from `now` for `duration`.
    public init(labels: [String: String], runID: String, runbook: String, incident: String, operatorName: String, now: Date, duration: Duration) {
        alertname = labels["alertname"] ?? "?"
        matchers = labels.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        startsAt = now
        endsAt = now.addingTimeInterval(Double(duration.components.seconds))
        createdBy = operatorName
        comment = "runbook: live run \(runID) of \(runbook) repairs this (incident \(incident)); expired when the run ends"
    }

    /// How long the silence lasts: the run's time limit (``timeLimit(of:)``), at most `maximum`.
    public static func duration(for runbook: Runbook, maximum: Duration) -> Duration {
        min(timeLimit(of: runbook), maximum)
    }

    /// The longest a run of `runbook` can take: every step to its timeout (the kind's default
    /// without `timeout:`), a retried check for its whole `retry.total`, and a minute for the rest.
    public static func timeLimit(of runbook: Runbook) -> Duration {
        runbook.steps.reduce(Duration.seconds(60)) { total, step in
            let timeout = step.timeout ?? (step.kind == .check ? Executor.defaultCheckTimeout
                : step.kind == .action ? Executor.defaultActionTimeout : Executor.defaultNotifyTimeout)
            return total + (step.retry.map { $0.total + timeout } ?? timeout)
        }
    }

    /// The request body of `POST /api/v2/silences`.
    public var body: String {
        JSON.encode(.object([
            ("matchers", .list(matchers.map { .object([("name", .string($0.name)), ("value", .string($0.value)), ("isRegex", .bool(false)), ("isEqual", .bool(true))]) })),
            ("startsAt", .string(UTCTime.iso8601(startsAt))),
            ("endsAt", .string(UTCTime.iso8601(endsAt))),
            ("createdBy", .string(createdBy)),
            ("comment", .string(comment)),
        ]))
    }

    /// What the audit and the timeline record of it (with its id once created).
    public func recordValue(id: String?) -> Value {
        .object([
            ("silence_id", id.map(Value.string) ?? .null), ("alertname", .string(alertname)),
            ("matchers", .object(matchers.map { ($0.name, .string($0.value)) })),
            ("starts_at", .string(UTCTime.iso8601(startsAt))), ("ends_at", .string(UTCTime.iso8601(endsAt))),
            ("created_by", .string(createdBy)), ("comment", .string(comment)),
        ])
    }
}
