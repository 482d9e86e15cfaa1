/// What one step sees in a `runbook test` case, where it was written, and, for a check that
/// retries, what each attempt sees (the last repeats).
public struct Fixture: Sendable {
    /// Attempt by attempt; never empty.
    public var attempts: [FixtureAttempt]
    /// Where the fixture is written, for failures that name it.
    public var location: SourceLocation

    /// A fixture of one or more attempts.
    public init(attempts: [FixtureAttempt], location: SourceLocation) {
        self.attempts = attempts.isEmpty ? [.empty] : attempts
        self.location = location
    }

    /// What attempt `number` (from 1) sees.
    public func attempt(_ number: Int) -> FixtureAttempt {
        attempts[min(max(number, 1), attempts.count) - 1]
    }
}
