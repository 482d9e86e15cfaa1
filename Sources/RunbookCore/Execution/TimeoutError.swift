import Foundation

/// Thrown by ``withDeadline(_:grace:_:)`` once the deadline has passed. The executor makes it
/// the step's `error` (check; or its `unreachable:` colour) or `failed` (action).
public struct TimeoutError: Error, Sendable, CustomStringConvertible {
    /// The deadline that passed.
    public var duration: Duration
    /// `timed out after 30s`.
    public var description: String { "timed out after \(DurationText.format(duration))" }
}
