public import Foundation

/// `--started-at` and `--resolved-at`: an ISO 8601 time (`2025-01-15T14:05:00Z`, with an
/// offset, or `2025-01-15 14:05` read as UTC), or how long ago (`35m ago`, `-1h30m`).
public enum IncidentTime {
    /// The time `text` names, relative ones counted back from `now`; nil when it names none.
    public static func parse(_ text: String, now: Date) -> Date? {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix(" ago") || t.hasPrefix("-") {
            t = t.hasPrefix("-") ? String(t.dropFirst()) : String(t.dropLast(4))
            guard let d = DurationText.parse(t) else { return nil }
            return now.addingTimeInterval(-(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
        }
        if t.hasSuffix(" UTC") { t = String(t.dropLast(4)) + "Z" }
        if t.count >= 16, t[t.index(t.startIndex, offsetBy: 10)] == " " {
            t = String(t.prefix(10)) + "T" + String(t.dropFirst(11))
            if t.count == 16 || t.count == 19 { t += "Z" }
        }
        if t.count == 17, t.hasSuffix("Z") { t = String(t.dropLast()) + ":00Z" }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds],
                                                      [.withFullDate, .withTime, .withColonSeparatorInTime, .withTimeZone]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: t) { return date }
        }
        return nil
    }
}
