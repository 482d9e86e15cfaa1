/// Durations in runbooks: `500ms`, `30s`, `5m`, `2h`, `1d`, or combinations such as `1m30s`.
public enum DurationText {
    /// Parses `500ms`, `30s`, `1.5m`, `1h30m` (units ms, s, m, h, d; surrounding whitespace
    /// ignored), rounded to whole milliseconds; nil for anything else, a bare number included.
    public static func parse(_ text: String) -> Duration? {
        var total: Double = 0
        var number = ""
        var unit = ""
        var sawAny = false
        func flush() -> Bool {
            guard let n = Double(number) else { return false }
            let factor: Double
            switch unit {
            case "ms": factor = 0.001
            case "s": factor = 1
            case "m": factor = 60
            case "h": factor = 3600
            case "d": factor = 86400
            default: return false
            }
            total += n * factor
            number = ""
            unit = ""
            sawAny = true
            return true
        }
        for c in text.trimmingWhitespace() {
            if c.isNumber || c == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(c)
            } else if c.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(c)
            } else {
                return nil
            }
        }
        if !number.isEmpty || !unit.isEmpty { guard flush() else { return nil } }
        guard sawAny else { return nil }
        return .milliseconds(Int64((total * 1000).rounded()))
    }

    /// `1m30s`, `500ms`, `2h`.
    public static func format(_ d: Duration) -> String {
        let ms = d.milliseconds
        if ms < 1000 { return "\(ms)ms" }
        if ms % 1000 != 0 { return String(format2(Double(ms) / 1000)) + "s" }
        var s = ms / 1000
        var out = ""
        if s >= 3600 { out += "\(s / 3600)h"; s %= 3600 }
        if s >= 60 { out += "\(s / 60)m"; s %= 60 }
        if s > 0 || out.isEmpty { out += "\(s)s" }
        return out
    }

    private static func format2(_ d: Double) -> String {
        let r = (d * 100).rounded() / 100
        return String(r)
    }
}

extension Duration {
    /// Whole milliseconds.
    public var milliseconds: Int64 {
        let (s, atto) = components
        return s * 1000 + atto / 1_000_000_000_000_000
    }

    /// Seconds, from the whole milliseconds (sub-millisecond parts are dropped).
    public var seconds: Double { Double(milliseconds) / 1000 }
}
