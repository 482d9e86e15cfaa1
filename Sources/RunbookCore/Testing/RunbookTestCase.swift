/// One case of a runbook's tests: what the steps see, how the run is made, what it must conclude.
public struct RunbookTestCase: Sendable {
    /// `case:`, the case's name, unique in its file.
    public var name: String
    /// `description:`.
    public var description: String?
    /// `mode: live` passes every gate (as `--yes` and `--approve` of each action would) and
    /// performs actions against their fixtures; `dry-run` (the default) only plans them.
    public var live: Bool
    /// `inputs:`, as `--input NAME=VALUE` would give them.
    public var inputs: [(name: String, value: String)]
    /// The file's `fixtures:` with this case's own on top, by step id.
    public var fixtures: [String: Fixture]
    /// What the run must conclude.
    public var expect: RunbookTestExpectation
    /// Where the case starts (`- case:`), for failures.
    public var location: SourceLocation

    /// A case with no fixtures and no expectation.
    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
        self.live = false
        self.inputs = []
        self.fixtures = [:]
        self.expect = RunbookTestExpectation()
    }
}
