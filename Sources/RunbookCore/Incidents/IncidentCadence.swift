public import Foundation

/// What the clock says is due for an incident: an escalation (the level in force rose), the
/// 30-minute update reminder, the post-mortem reminder 24 h after the resolution. Pure: `remind`,
/// `update` and runs perform what it returns, each once, keyed in the ledger by ``Due/key``.
public enum IncidentCadence {
    /// The seed's "updates every 30 minutes".
    public static let updateInterval: TimeInterval = 30 * 60
    /// The post-mortem reminder, this long after the resolution.
    public static let postmortemDelay: TimeInterval = 24 * 3600

    /// Something to post.
    public enum Due: Sendable, Hashable {
        /// Level `level` is now in force and its contacts have not been told.
        case escalation(level: Int)
        /// No update for 30 minutes; the key names the silence (by the last update's time), so
        /// two reminders of the same silence are one.
        case reminder(since: Date)
        /// 24 h after the resolution.
        case postmortem

        /// The event's key in the ledger: unique per incident.
        public var key: String {
            switch self {
            case .escalation(let level): "escalation:\(level)"
            case .reminder(let since): "reminder:\(UTCTime.iso8601(since))"
            case .postmortem: "postmortem"
            }
        }
    }

    /// The escalation due at `now`, if any: the level in force (``Escalation/level(at:)``) when it
    /// is higher than the one already notified. A jump (declared 70 minutes in) notifies the level
    /// in force, not every level passed.
    public static func escalation(_ incident: Incident, now: Date, ladder: Escalation?) -> Escalation.Level? {
        guard incident.isOpen, let level = ladder?.level(at: incident.minutes(at: now)), level.level > incident.escalationLevel else { return nil }
        return level
    }

    /// Everything due at `now`, escalation first (a reminder then shows the new level).
    public static func due(_ incident: Incident, now: Date, ladder: Escalation?) -> [Due] {
        if let resolvedAt = incident.resolvedAt {
            let due = incident.postmortemRemindedAt == nil && now.timeIntervalSince(resolvedAt) >= postmortemDelay
            return due ? [.postmortem] : []
        }
        var out: [Due] = []
        if let level = escalation(incident, now: now, ladder: ladder) { out.append(.escalation(level: level.level)) }
        if now.timeIntervalSince(incident.lastUpdateAt) >= updateInterval { out.append(.reminder(since: incident.lastUpdateAt)) }
        return out
    }

    /// `1 hour 35 minutes`, `45 minutes`, `2 hours 0 minutes`: the seed's "[X hours Y minutes]".
    public static func durationText(minutes total: Int) -> String {
        let total = max(0, total)
        let h = total / 60, m = total % 60
        let minutes = "\(m) minute\(m == 1 ? "" : "s")"
        return h == 0 ? minutes : "\(h) hour\(h == 1 ? "" : "s") \(minutes)"
    }
}
