import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// UTC timestamps written by hand from `gmtime_r`. `DateFormatter` and `Date.FormatStyle`
/// load ICU's calendar and time-zone data on first use: measured, up to 10 ms and about
/// 8 MiB of a dry run's start-up, for three fixed formats that need none of it.
enum UTCTime {
    /// `2026-11-29T14:01:02.345Z` (ISO 8601, milliseconds, the audit log's `ts`).
    static func iso8601(_ date: Date) -> String {
        let f = Fields(date)
        return "\(pad(f.year, 4))-\(pad(f.month))-\(pad(f.day))T\(pad(f.hour)):\(pad(f.minute)):\(pad(f.second)).\(pad(f.millisecond, 3))Z"
    }

    /// `20261129T140102` (ISO 8601 basic format, whole seconds, UTC but no zone letter, as run
    /// ids have always been written).
    static func compact(_ date: Date) -> String {
        let f = Fields(date)
        return "\(pad(f.year, 4))\(pad(f.month))\(pad(f.day))T\(pad(f.hour))\(pad(f.minute))\(pad(f.second))"
    }

    /// `2026-11-29 14:01 UTC` (what templates show).
    static func minutes(_ date: Date) -> String {
        let f = Fields(date)
        return "\(pad(f.year, 4))-\(pad(f.month))-\(pad(f.day)) \(pad(f.hour)):\(pad(f.minute)) UTC"
    }

    /// `2026-11-29 14:01:02 UTC` for `seconds` since 1970 (approval times).
    static func seconds(_ seconds: Int) -> String {
        let f = Fields(Date(timeIntervalSince1970: TimeInterval(seconds)))
        return "\(pad(f.year, 4))-\(pad(f.month))-\(pad(f.day)) \(pad(f.hour)):\(pad(f.minute)):\(pad(f.second)) UTC"
    }

    struct Fields {
        var year, month, day, hour, minute, second, millisecond: Int

        init(_ date: Date) {
            let t = date.timeIntervalSince1970
            let whole = t.rounded(.down)
            var seconds = time_t(whole)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            year = Int(parts.tm_year) + 1900
            month = Int(parts.tm_mon) + 1
            day = Int(parts.tm_mday)
            hour = Int(parts.tm_hour)
            minute = Int(parts.tm_min)
            second = Int(parts.tm_sec)
            millisecond = min(999, Int(((t - whole) * 1000).rounded(.down)))
        }
    }

    static func pad(_ value: Int, _ width: Int = 2) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
