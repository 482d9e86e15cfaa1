import Foundation
import Testing
@testable import RunbookCore

/// `schedule:`: the calendar notation, its systemd and cron forms, and the first Sunday of the
/// month proved over a whole year (2027, fixed: nothing here reads today's date).
struct ScheduleTests {
    let home = TestHome()

    static let saoPaulo = TimeZone(identifier: "America/Sao_Paulo")!

    static func date(_ text: String, _ zone: TimeZone = TimeZone(identifier: "UTC")!) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let p = text.split(whereSeparator: { "- :".contains($0) }).map { Int($0)! }
        return calendar.date(from: DateComponents(year: p[0], month: p[1], day: p[2], hour: p.count > 3 ? p[3] : 0, minute: p.count > 4 ? p[4] : 0))!
    }

    /// Every day of 2027 at noon UTC (noon: the same date in São Paulo, UTC-3).
    static var daysOf2027: [Date] {
        (0..<365).map { date("2027-01-01 12:00").addingTimeInterval(Double($0) * 86_400) }
    }

    @Test(arguments: [
        ("*-*-* 08:00", "*-*-* 08:00:00", "0 8 * * *", false),
        ("Mon *-*-* 06:00", "Mon *-*-* 06:00:00", "0 6 * * 1", false),
        ("Sun *-*-01..07 04:00", "Sun *-*-01..07 04:00:00", "0 4 1-7 * *", true),
        ("Mon..Fri *-*-* 23:59:00", "Mon..Fri *-*-* 23:59:00", "59 23 * * 1-5", false),
        ("Sat,Sun *-*-* 00:30", "Sat..Sun *-*-* 00:30:00", "30 0 * * 0,6", false),
        ("Mon,Tue,Wed,Thu,Fri,Sat,Sun *-*-1,15 12:00", "*-*-01,15 12:00:00", "0 12 1,15 * *", false),
        ("sun *-*-1..7 4:00".replacingOccurrences(of: " 4:00", with: " 04:00"), "Sun *-*-01..07 04:00:00", "0 4 1-7 * *", true),
    ])
    func calendarForms(_ text: String, systemd: String, cron: String, guarded: Bool) throws {
        let calendar = try ScheduleCalendar(parsing: text)
        #expect(calendar.systemd == systemd)
        #expect(calendar.cron == cron)
        #expect(calendar.needsWeekdayGuard == guarded)
        // The systemd form reads back as the same calendar.
        #expect(try ScheduleCalendar(parsing: calendar.systemd) == calendar)
    }

    @Test(arguments: [
        ("daily", 0, "a schedule's calendar is [WEEKDAYS ]*-*-DAYS HH:MM"),
        ("Sunday *-*-01..07 04:00", 0, "'Sunday' is not a weekday"),
        ("Mon..Xyz *-*-* 06:00", 5, "'Xyz' is not a weekday"),
        ("Sun..Mon *-*-* 06:00", 0, "the weekday range 'Sun..Mon' runs backwards"),
        ("2027-*-01 04:00", 0, "the date must be *-*-DAYS"),
        ("*-*-0 04:00", 4, "'0' is not a day of the month"),
        ("*-*-1..32 04:00", 7, "'32' is not a day of the month"),
        ("*-*-* 24:00", 6, "the time must be one time of day, HH:MM"),
        ("*-*-* 6:00", 6, "the time must be one time of day, HH:MM"),
        ("*-*-* 06:00:30", 12, "seconds must be 00"),
        ("*-*-* 06,18:00", 6, "the time must be one time of day"),
    ])
    func badCalendarsSayWhatAndWhere(_ text: String, offset: Int, message: String) {
        do {
            _ = try ScheduleCalendar(parsing: text)
            Issue.record("'\(text)' parsed")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.offset == offset, "\(text): \(error.message)")
        }
    }

    @Test func theLoaderPointsAtTheBadCharacter() {
        let bad = home.lint("s", """
            runbook: s
            title: S
            schedule: {calendar: "Sun *-*-01..40 04:00", timezone: America/Sao_Paulo}
            steps:
              - check: a
                shell: [true]
            """)
        #expect(bad == ["3:35: '40' is not a day of the month (1 to 31)"])
        let zone = home.lint("s", """
            runbook: s
            title: S
            schedule:
              calendar: "Mon *-*-* 06:00"
              timezone: America/Sao_Paolo
            steps:
              - check: a
                shell: [true]
            """)
        #expect(zone == ["5:13: unknown time zone 'America/Sao_Paolo' (an IANA name such as America/Sao_Paulo or UTC)"])
        let missing = home.lint("s", "runbook: s\ntitle: S\nschedule: {timezone: UTC}\nsteps:\n  - check: a\n    shell: [true]\n")
        #expect(missing.count == 1 && missing[0].hasPrefix("3:11: schedule needs 'calendar'"), "\(missing)")
        let unknown = home.lint("s", "runbook: s\ntitle: S\nschedule: {calendar: \"*-*-* 08:00\", tz: UTC}\nsteps:\n  - check: a\n    shell: [true]\n")
        #expect(unknown.count == 1 && unknown[0].hasPrefix("3:37: unknown key 'tz' in schedule"), "\(unknown)")
        let (runbook, _) = home.runbook("s", "runbook: s\ntitle: S\nschedule: {calendar: \"Mon *-*-* 06:00\"}\nsteps:\n  - check: a\n    shell: [true]\n")
        #expect(runbook?.schedule?.timezone == "UTC")
        #expect(runbook?.schedule?.calendar == ScheduleCalendar(weekdays: [1], hour: 6, minute: 0))
    }

    /// The seed's "first Sunday of the month": exactly twelve days of 2027, each a Sunday
    /// within the month's first seven days; and the cron schedule it is exported as, plus the
    /// run's weekday check, picks exactly those days.
    @Test func theFirstSundayOverAYear() throws {
        let schedule = Schedule(calendar: try ScheduleCalendar(parsing: "Sun *-*-01..07 04:00"), timezone: "America/Sao_Paulo",
                                location: SourceLocation(path: "-", line: 1, column: 1))
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = Self.saoPaulo
        let firstSundays = Self.daysOf2027.filter { gregorian.component(.weekday, from: $0) == 1 && gregorian.component(.day, from: $0) <= 7 }
        #expect(firstSundays.count == 12)
        #expect(Set(firstSundays.map { gregorian.component(.month, from: $0) }).count == 12)
        #expect(Self.daysOf2027.filter(schedule.isScheduledDay) == firstSundays)

        // Cron: "0 4 1-7 * *" fires on days 1 to 7; the guard keeps the Sundays.
        #expect(schedule.calendar.cron == "0 4 1-7 * *")
        let cronDays = Self.daysOf2027.filter { (1...7).contains(gregorian.component(.day, from: $0)) }
        #expect(cronDays.count == 84)
        #expect(cronDays.filter(schedule.isScheduledDay) == firstSundays)
        // What plain cron would have done with both fields: every Sunday too.
        let plainCron = Self.daysOf2027.filter { (1...7).contains(gregorian.component(.day, from: $0)) || gregorian.component(.weekday, from: $0) == 1 }
        #expect(plainCron.count > 100)
    }

    /// systemd itself agrees: `systemd-analyze calendar` lists the same twelve runs of 2027 as
    /// ``Schedule/next(after:)``, for each seed schedule.
    @Test(arguments: ["Sun *-*-01..07 04:00", "Mon *-*-* 06:00", "*-*-* 08:00", "Sat,Sun *-*-* 23:30"])
    func systemdAgrees(_ text: String) throws {
        let schedule = Schedule(calendar: try ScheduleCalendar(parsing: text), timezone: "America/Sao_Paulo",
                                location: SourceLocation(path: "-", line: 1, column: 1))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["calendar", "--iterations=12", "--base-time=2027-01-01 00:00:00 UTC",
                             "\(schedule.calendar.systemd) \(schedule.timezone)"]
        process.environment = ["TZ": "UTC", "LANG": "C"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        // "    Next elapse: Sun 2027-01-03 07:00:00 UTC" and "       Iter. #2: Sun 2027-02-07 07:00:00 UTC"
        let systemd = text.split(separator: "\n").filter { $0.contains("Next elapse:") || $0.contains("Iter. #") }
            .map { line in String(line.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces).dropFirst(4)) }
        #expect(systemd.count == 12, "\(text)")
        var ours: [String] = []
        var after = Self.date("2027-01-01 00:00")
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        for _ in 0..<12 {
            let next = try #require(schedule.next(after: after))
            ours.append(format.string(from: next))
            after = next
        }
        #expect(ours == systemd)
    }

    /// Time zones with daylight saving: 02:30 on the night clocks spring forward does not exist.
    @Test func nextFollowsTheScheduleTimeZone() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let schedule = Schedule(calendar: ScheduleCalendar(hour: 6, minute: 0), timezone: "Europe/Berlin",
                                location: SourceLocation(path: "-", line: 1, column: 1))
        // 2027-03-28: Berlin goes from UTC+1 to UTC+2.
        let before = try #require(schedule.next(after: Self.date("2027-03-27 05:00", berlin)))
        let after = try #require(schedule.next(after: before))
        #expect(before == Self.date("2027-03-27 05:00"))
        #expect(after == Self.date("2027-03-28 04:00"))
    }

    @Test func exportQuotesAndGuardsOnlyWhereCronNeedsIt() throws {
        let (monthly, _) = home.runbook("monthly", """
            runbook: monthly
            title: M
            schedule: {calendar: "Sun *-*-01..07 04:00", timezone: America/Sao_Paulo}
            steps:
              - check: a
                shell: [true]
            """)
        let runbook = try #require(monthly)
        let schedule = try #require(runbook.schedule)
        let export = ScheduleExport(environment: "production", binary: "/usr/local/bin/runbook", project: "/opt/runbook", user: "runbook",
                                    environmentFile: "/etc/runbook/production.env", image: "registry.example/runbook:1.2", secret: "runbook-secrets", namespace: "etl")
        let timer = export.timer(runbook, schedule)
        #expect(timer.contains("OnCalendar=Sun *-*-01..07 04:00:00 America/Sao_Paulo\n"))
        #expect(timer.contains("Persistent=true\n"))
        let service = export.service(runbook, schedule)
        #expect(service.contains("ExecStart=/usr/local/bin/runbook run monthly --env production --scheduled\n"), "systemd ANDs the weekday: no guard")
        #expect(service.contains("Type=oneshot\n"))
        let job = export.cronJob(runbook, schedule)
        #expect(job.contains("schedule: \"0 4 1-7 * *\"\n"))
        #expect(job.contains("timeZone: \"America/Sao_Paulo\"\n"))
        #expect(job.contains("concurrencyPolicy: Forbid\n"))
        #expect(job.contains("args: [\"run\", \"monthly\", \"--env\", \"production\", \"--scheduled\", \"--scheduled-day-only\"]"))
        #expect(job.contains("namespace: \"etl\"\n"))
        #expect(ScheduleExport.isName("production") && !ScheduleExport.isName("Prod") && !ScheduleExport.isName("a b") && !ScheduleExport.isName("-x"))
    }
}
