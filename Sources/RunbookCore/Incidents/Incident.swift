public import Foundation

/// An incident as the ledger keeps it (`runbook.incidents`): declared by `runbook incident
/// open`, updated by runs and by people, escalated by the clock, resolved once.
public struct Incident: Sendable, Hashable {
    /// What the team last said about it (the seed's status words), `resolved` at the end.
    public enum Status: String, Sendable, CaseIterable {
        case investigating, identified, monitoring, resolved

        /// `Investigating`: how messages show it.
        public var display: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

        /// The status `text` names (any case); nil for anything else.
        public init?(text: String) {
            self.init(rawValue: text.lowercased())
        }
    }

    /// `INC-20250115-2`: the UTC day of its start and its number that day.
    public var id: String
    /// The environment it happens in.
    public var environment: String
    /// One line: what is wrong.
    public var title: String
    /// `P1`..`P4`.
    public var severity: String
    /// The latest status said.
    public var status: Status
    /// Who declared it (the incident commander).
    public var openedBy: String
    /// The business impact, as declared (may be empty).
    public var impact: String
    /// The services it affects, as declared (`--affected-services`; may be empty).
    public var affectedServices: String
    /// When it began (`--started-at`, else when it was declared): the escalation clock.
    public var startedAt: Date
    /// When it was resolved; nil while open.
    public var resolvedAt: Date?
    /// The highest escalation level whose contacts were notified (1 at declaration).
    public var escalationLevel: Int
    /// When the channel last heard about it (declaration, a run's update, `incident update`, a
    /// reminder): the 30-minute cadence counts from here.
    public var lastUpdateAt: Date
    /// What the resolution said.
    public var rootCause: String?
    public var resolution: String?
    public var prevention: String?
    /// When the post-mortem reminder was posted.
    public var postmortemRemindedAt: Date?

    /// An incident from its columns.
    public init(id: String, environment: String, title: String, severity: String, status: Status, openedBy: String, impact: String = "",
                startedAt: Date, resolvedAt: Date? = nil, escalationLevel: Int = 1, lastUpdateAt: Date, rootCause: String? = nil,
                resolution: String? = nil, prevention: String? = nil, postmortemRemindedAt: Date? = nil, affectedServices: String = "")
    {
        self.affectedServices = affectedServices
        self.id = id
        self.environment = environment
        self.title = title
        self.severity = severity
        self.status = status
        self.openedBy = openedBy
        self.impact = impact
        self.startedAt = startedAt
        self.resolvedAt = resolvedAt
        self.escalationLevel = escalationLevel
        self.lastUpdateAt = lastUpdateAt
        self.rootCause = rootCause
        self.resolution = resolution
        self.prevention = prevention
        self.postmortemRemindedAt = postmortemRemindedAt
    }

    /// Whether it is still open.
    public var isOpen: Bool { resolvedAt == nil }

    /// Whole minutes from its start to `now` (or to its resolution), never negative.
    public func minutes(at now: Date) -> Int {
        max(0, Int((resolvedAt ?? now).timeIntervalSince(startedAt) / 60))
    }

    /// `INC-20250115-`: the prefix of every incident id of `date`'s UTC day.
    public static func idPrefix(day date: Date) -> String {
        "INC-\(String(UTCTime.compact(date).prefix(8)))-"
    }

    /// `#incident-etl-20250115`: the seed's channel name, from the start's UTC day.
    public var channelName: String { "#incident-etl-\(String(UTCTime.compact(startedAt).prefix(8)))" }

    /// The severities the seed names.
    public static let severities = ["P1", "P2", "P3", "P4"]
}
