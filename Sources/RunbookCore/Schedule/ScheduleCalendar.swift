public import Foundation

/// When a scheduled runbook runs: a subset of systemd's calendar notation
/// (`systemd.time(7)`) that maps exactly onto both systemd timers and Kubernetes CronJobs:
///
///     [WEEKDAYS ]*-*-DAYS HH:MM[:00]
///
/// `WEEKDAYS`: `Mon`, `Mon,Thu`, `Mon..Fri` (omitted: every day of the week); `DAYS`: `*`,
/// `1`, `1..7`, `1,15` (days of the month); one time of day. `Sun *-*-01..07 04:00` is the
/// first Sunday of every month at 04:00.
///
/// systemd requires a weekday *and* a day of the month when both are given. Cron runs when
/// either matches (`0 4 1-7 * 0` is every Sunday and the first seven days), so a calendar
/// with both is exported to cron by its days of the month alone, and the run checks the
/// weekday itself (``needsWeekdayGuard``, ``matchesDay(_:in:)``).
public struct ScheduleCalendar: Sendable, Hashable {
    /// Weekdays it runs on (1 Monday ... 7 Sunday, ISO 8601); empty for every one.
    public var weekdays: Set<Int>
    /// Days of the month it runs on (1...31); empty for every one.
    public var days: Set<Int>
    /// The time of day.
    public var hour: Int
    public var minute: Int

    static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// A problem in a calendar's text: the message and the character (0-based) it is at.
    public struct ParseError: Error, Sendable {
        public var message: String
        public var offset: Int
    }

    /// Parses `text`, or says what is wrong and where.
    public init(parsing text: String) throws(ParseError) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        func offset(of part: Substring) -> Int { text.distance(from: text.startIndex, to: part.startIndex) }
        let example = "such as 'Mon *-*-* 06:00' or 'Sun *-*-01..07 04:00'"
        guard parts.count == 2 || parts.count == 3 else {
            throw ParseError(message: "a schedule's calendar is [WEEKDAYS ]*-*-DAYS HH:MM, \(example); found '\(text)'", offset: 0)
        }
        weekdays = []
        if parts.count == 3 { weekdays = try Self.parseWeekdays(parts[0], at: offset(of: parts[0])) }
        let date = parts[parts.count - 2], time = parts[parts.count - 1]
        guard date.hasPrefix("*-*-") else {
            throw ParseError(message: "the date must be *-*-DAYS (every month of every year; DAYS: *, 1, 1..7 or 1,15), found '\(date)'", offset: offset(of: date))
        }
        days = try Self.parseDays(date.dropFirst(4), at: offset(of: date) + 4)
        (hour, minute) = try Self.parseTime(time, at: offset(of: time))
    }

    /// A calendar from its parts.
    public init(weekdays: Set<Int> = [], days: Set<Int> = [], hour: Int, minute: Int) {
        self.weekdays = weekdays
        self.days = days
        self.hour = hour
        self.minute = minute
    }

    private static func parseWeekdays(_ text: Substring, at start: Int) throws(ParseError) -> Set<Int> {
        func day(_ name: Substring, at offset: Int) throws(ParseError) -> Int {
            guard let i = weekdayNames.firstIndex(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) else {
                throw ParseError(message: "'\(name)' is not a weekday (Mon, Tue, Wed, Thu, Fri, Sat, Sun)", offset: offset)
            }
            return i + 1
        }
        var out: Set<Int> = []
        var position = start
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            if let dots = item.range(of: "..") {
                let a = try day(item[..<dots.lowerBound], at: position)
                let b = try day(item[dots.upperBound...], at: position + item.distance(from: item.startIndex, to: dots.upperBound))
                guard a <= b else { throw ParseError(message: "the weekday range '\(item)' runs backwards (Mon..Sun is the order)", offset: position) }
                out.formUnion(a...b)
            } else {
                out.insert(try day(item, at: position))
            }
            position += item.count + 1
        }
        return out.count == 7 ? [] : out
    }

    private static func parseDays(_ text: Substring, at start: Int) throws(ParseError) -> Set<Int> {
        if text == "*" { return [] }
        func number(_ s: Substring, at offset: Int) throws(ParseError) -> Int {
            guard let n = Int(s), (1...31).contains(n) else {
                throw ParseError(message: "'\(s)' is not a day of the month (1 to 31)", offset: offset)
            }
            return n
        }
        var out: Set<Int> = []
        var position = start
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            if let dots = item.range(of: "..") {
                let a = try number(item[..<dots.lowerBound], at: position)
                let b = try number(item[dots.upperBound...], at: position + item.distance(from: item.startIndex, to: dots.upperBound))
                guard a <= b else { throw ParseError(message: "the day range '\(item)' runs backwards", offset: position) }
                out.formUnion(a...b)
            } else {
                out.insert(try number(item, at: position))
            }
            position += item.count + 1
        }
        return out.count == 31 ? [] : out
    }

    private static func parseTime(_ text: Substring, at start: Int) throws(ParseError) -> (Int, Int) {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 2 || fields.count == 3, let h = Int(fields[0]), let m = Int(fields[1]), (0...23).contains(h), (0...59).contains(m),
              fields[0].count == 2, fields[1].count == 2
        else {
            throw ParseError(message: "the time must be one time of day, HH:MM (00:00 to 23:59), found '\(text)'", offset: start)
        }
        if fields.count == 3, fields[2] != "00" {
            throw ParseError(message: "the time runs on the minute: seconds must be 00, found '\(fields[2])'", offset: start + 6)
        }
        return (h, m)
    }

    /// The calendar in systemd's notation, seconds included (`OnCalendar=`, before the time zone).
    public var systemd: String {
        let w = weekdays.isEmpty ? "" : Self.ranges(weekdays).map { $0.0 == $0.1 ? Self.weekdayNames[$0.0 - 1] : "\(Self.weekdayNames[$0.0 - 1])..\(Self.weekdayNames[$0.1 - 1])" }.joined(separator: ",") + " "
        let d = days.isEmpty ? "*" : Self.ranges(days).map { $0.0 == $0.1 ? Self.two($0.0) : "\(Self.two($0.0))..\(Self.two($0.1))" }.joined(separator: ",")
        return "\(w)*-*-\(d) \(Self.two(hour)):\(Self.two(minute)):00"
    }

    /// The calendar as a five-field cron schedule (Kubernetes CronJob `schedule`). When it
    /// names weekdays and days of the month both, only the days are in the cron schedule:
    /// see ``needsWeekdayGuard``.
    public var cron: String {
        let d = days.isEmpty ? "*" : Self.ranges(days).map { $0.0 == $0.1 ? "\($0.0)" : "\($0.0)-\($0.1)" }.joined(separator: ",")
        // cron counts Sunday as 0 (Kubernetes's parser accepts 0 to 6 only).
        let w = weekdays.isEmpty || !days.isEmpty ? "*"
            : Self.ranges(Set(weekdays.map { $0 % 7 })).map { $0.0 == $0.1 ? "\($0.0)" : "\($0.0)-\($0.1)" }.joined(separator: ",")
        return "\(minute) \(hour) \(d) * \(w)"
    }

    /// Whether a cron schedule fires on days this calendar excludes (weekdays and days of the
    /// month both given): the run must then check ``matchesDay(_:in:)`` itself.
    public var needsWeekdayGuard: Bool { !weekdays.isEmpty && !days.isEmpty }

    /// Whether `date`'s day, in `timeZone`, is one this calendar runs on (its weekday and its
    /// day of the month both allowed).
    public func matchesDay(_ date: Date, in timeZone: TimeZone) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .day], from: date)
        guard let weekday = parts.weekday, let day = parts.day else { return false }
        let iso = weekday == 1 ? 7 : weekday - 1
        return (weekdays.isEmpty || weekdays.contains(iso)) && (days.isEmpty || days.contains(day))
    }

    /// Consecutive runs of `set`, sorted: [1, 2, 3, 5] -> [(1, 3), (5, 5)].
    static func ranges(_ set: Set<Int>) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        for n in set.sorted() {
            if let last = out.last, last.1 + 1 == n { out[out.count - 1].1 = n } else { out.append((n, n)) }
        }
        return out
    }

    /// Two digits: 4 -> "04".
    public static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// The short name of a weekday as Foundation's Gregorian calendar numbers it (1 Sunday).
    public static func weekdayName(gregorian weekday: Int) -> String { weekdayNames[(weekday + 5) % 7] }
}
