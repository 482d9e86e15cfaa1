import RunbookCore

/// A run lock stayed held by another run for longer than the caller would wait.
public struct RunLockHeld: Error, Sendable, CustomStringConvertible {
    public var key: String
    /// Who holds it (operator and run id), when known.
    public var holder: String?
    /// Since when (ISO 8601), when known.
    public var since: String?
    public var waited: Duration

    public var description: String {
        var text = "another live run holds the lock for \(key)"
        if let holder { text += ": \(holder)" }
        if let since { text += " since \(since)" }
        return text + "; waited \(DurationText.format(waited))"
    }
}
