public import Foundation

/// One line of an incident's timeline (`runbook.incident_events`).
public struct IncidentEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, CaseIterable {
        /// `incident open`: the declaration.
        case declared
        /// A run linked to the incident (`run --incident`, or the environment's one open incident).
        case run
        /// `incident update`: a person's status update.
        case update
        /// The level in force rose; its contacts were notified.
        case escalation
        /// `incident remind`: 30 minutes without an update.
        case reminder
        /// `incident resolve`.
        case resolved
        /// `incident remind`: 24 h after the resolution, the post-mortem is due.
        case postmortem
        /// Alertmanager said an alert of the incident's group fired (and its diagnosis was
        /// posted) or resolved.
        case alert
        /// A live repair silenced the incident's alert in Alertmanager while it ran, or
        /// expired that silence when it ended (or could not do either: Alertmanager unreachable).
        case silence
    }

    public var at: Date
    public var kind: Kind
    public var author: String
    public var message: String
    /// The run, for `run` events.
    public var runID: String?
    /// What makes a posted event happen once (`escalation:2`, `reminder:<last update>`,
    /// `postmortem`): unique per incident in the ledger.
    public var key: String?
    /// Kind-specific facts: a run's runbook, mode, status and findings; an escalation's level and
    /// contacts; whether and where the message was delivered.
    public var details: Value

    /// An event.
    public init(at: Date, kind: Kind, author: String, message: String, runID: String? = nil, key: String? = nil, details: Value = .null) {
        self.at = at
        self.kind = kind
        self.author = author
        self.message = message
        self.runID = runID
        self.key = key
        self.details = details
    }
}
