public import Foundation

/// A runbook's `schedule:`: when systemd or Kubernetes runs it (`runbook schedule export`);
/// the scheduler is theirs, never ours.
///
/// ```yaml
/// schedule: {calendar: "Sun *-*-01..07 04:00", timezone: America/Sao_Paulo}
/// ```
public struct Schedule: Sendable, Hashable {
    /// When, in ``timezone``.
    public var calendar: ScheduleCalendar
    /// The calendar's time zone (an IANA name); `UTC` when not given.
    public var timezone: String
    /// Where `schedule:` is, for messages.
    public var location: SourceLocation

    /// A schedule from its parts.
    public init(calendar: ScheduleCalendar, timezone: String, location: SourceLocation) {
        self.calendar = calendar
        self.timezone = timezone
        self.location = location
    }

    /// The time zone; UTC when the name is not one this machine knows (the loader refuses those).
    public var timeZone: TimeZone { TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")! }

    /// Whether `date`'s day, in the schedule's time zone, is one it runs on.
    public func isScheduledDay(_ date: Date) -> Bool { calendar.matchesDay(date, in: timeZone) }

    /// The first time after `date` it runs (looking up to 400 days ahead: a calendar of
    /// `*-*-31` with weekdays can skip months); nil when none is that close.
    public func next(after date: Date) -> Date? {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = timeZone
        var day = gregorian.startOfDay(for: date)
        for _ in 0..<400 {
            if calendar.matchesDay(day, in: timeZone),
               let time = gregorian.date(bySettingHour: calendar.hour, minute: calendar.minute, second: 0, of: day), time > date
            {
                return time
            }
            guard let following = gregorian.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = following
        }
        return nil
    }
}
