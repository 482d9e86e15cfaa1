import Foundation
@testable import RunbookCore
import Testing

/// What the clock says is due for an incident, as a table; and the times the CLI reads.
struct IncidentCadenceTests {
    static let ladder = Escalation(levels: [.init(level: 1, fromMinutes: 0, who: "dev", contacts: ["a@x"]),
                                            .init(level: 2, fromMinutes: 30, who: "lead", contacts: ["b@x"]),
                                            .init(level: 3, fromMinutes: 60, who: "boss", contacts: ["c@x"])])
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func incident(startedMinutesAgo: Double, lastUpdateMinutesAgo: Double, level: Int, resolvedMinutesAgo: Double? = nil,
                         postmortem: Bool = false) -> Incident
    {
        Incident(id: "INC-1", environment: "e", title: "t", severity: "P2", status: .investigating, openedBy: "ana",
                 startedAt: now.addingTimeInterval(-startedMinutesAgo * 60), resolvedAt: resolvedMinutesAgo.map { now.addingTimeInterval(-$0 * 60) },
                 escalationLevel: level, lastUpdateAt: now.addingTimeInterval(-lastUpdateMinutesAgo * 60),
                 postmortemRemindedAt: postmortem ? now : nil)
    }

    @Test(arguments: [
        // started, last update, level notified, resolved, post-mortem posted -> due
        (10.0, 10.0, 1, nil, false, [String]()),
        (29.9, 29.9, 1, nil, false, []),
        (30.0, 5.0, 1, nil, false, ["escalation:2"]),
        (31.0, 30.0, 1, nil, false, ["escalation:2", "reminder"]),
        (45.0, 31.0, 2, nil, false, ["reminder"]),
        (70.0, 5.0, 1, nil, false, ["escalation:3"]),  // a jump calls the level in force only
        (70.0, 5.0, 3, nil, false, []),
        (200.0, 100.0, 3, 60.0, false, []),  // resolved: no reminder, no escalation
        (2000.0, 1500.0, 3, 1440.0, false, ["postmortem"]),
        (2000.0, 1500.0, 3, 1440.0, true, []),
    ] as [(Double, Double, Int, Double?, Bool, [String])])
    func due(started: Double, lastUpdate: Double, level: Int, resolved: Double?, postmortem: Bool, expected: [String]) {
        let incident = Self.incident(startedMinutesAgo: started, lastUpdateMinutesAgo: lastUpdate, level: level, resolvedMinutesAgo: resolved,
                                     postmortem: postmortem)
        let keys = IncidentCadence.due(incident, now: Self.now, ladder: Self.ladder).map { $0.key.hasPrefix("reminder:") ? "reminder" : $0.key }
        #expect(keys == expected)
    }

    @Test func aReminderIsKeyedByTheSilenceItEnds() {
        let incident = Self.incident(startedMinutesAgo: 40, lastUpdateMinutesAgo: 35, level: 2)
        let a = IncidentCadence.due(incident, now: Self.now, ladder: Self.ladder)
        let b = IncidentCadence.due(incident, now: Self.now.addingTimeInterval(300), ladder: Self.ladder)
        #expect(a.map(\.key) == b.map(\.key), "two reminders of one silence are one")
    }

    @Test func durationsAndTimes() {
        #expect(IncidentCadence.durationText(minutes: 45) == "45 minutes")
        #expect(IncidentCadence.durationText(minutes: 65) == "1 hour 5 minutes")
        #expect(IncidentCadence.durationText(minutes: 121) == "2 hours 1 minute")
        #expect(IncidentTime.parse("35m ago", now: Self.now) == Self.now.addingTimeInterval(-2100))
        #expect(IncidentTime.parse("-1h30m", now: Self.now) == Self.now.addingTimeInterval(-5400))
        let t = Date(timeIntervalSince1970: 1_736_949_900)  // 2025-01-15 14:05 UTC
        #expect(IncidentTime.parse("2025-01-15T14:05:00Z", now: Self.now) == t)
        #expect(IncidentTime.parse("2025-01-15T11:05:00-03:00", now: Self.now) == t)
        #expect(IncidentTime.parse("2025-01-15 14:05", now: Self.now) == t)
        #expect(IncidentTime.parse("2025-01-15 14:05 UTC", now: Self.now) == t)
        #expect(IncidentTime.parse("tomorrow", now: Self.now) == nil)
        #expect(Incident.idPrefix(day: t) == "INC-20250115-")
    }
}
