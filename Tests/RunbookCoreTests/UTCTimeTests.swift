import Foundation
import Testing
@testable import RunbookCore

@Suite("UTC timestamps written without ICU")
struct UTCTimeTests {
    static let dates: [Date] = [
        Date(timeIntervalSince1970: 0),
        Date(timeIntervalSince1970: 1_796_120_426.691),   // 2026-12-01T10:20:26.691Z
        Date(timeIntervalSince1970: 951_782_400.999_9),   // 2000-02-29T00:00:00.999Z, a leap day
        Date(timeIntervalSince1970: 4_102_444_799.5),     // 2099-12-31T23:59:59.500Z
    ]

    @Test("the audit log's ts is what Date.ISO8601FormatStyle wrote", arguments: dates)
    func iso8601(_ date: Date) {
        let foundation = date.formatted(.iso8601.year().month().day().dateSeparator(.dash)
            .time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted))
        #expect(UTCTime.iso8601(date) == foundation)
    }

    @Test("run ids start with the basic ISO 8601 form", arguments: dates)
    func compact(_ date: Date) {
        let foundation = date.formatted(.iso8601.year().month().day().dateSeparator(.omitted)
            .time(includingFractionalSeconds: false).timeSeparator(.omitted))
        #expect(UTCTime.compact(date) == foundation)
        #expect(Executor.newRunID(date: date).hasPrefix(foundation + "-"))
    }

    @Test("templates' times are what DateFormatter wrote", arguments: dates)
    func minutes(_ date: Date) {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        #expect(UTCTime.minutes(date) == f.string(from: date))
    }
}
