/// How one case went.
public struct RunbookTestCaseResult: Sendable {
    /// The case's name.
    public var name: String
    /// Where the case starts.
    public var location: SourceLocation
    /// What differed from the expectation, each `path:line:col: what`; empty when it passed.
    public var failures: [String]
    /// Microseconds the run took.
    public var microseconds: Int
    /// The run's report (nil when the case could not start: inputs refused).
    public var report: RunReport?

    /// Passed: nothing differed.
    public var passed: Bool { failures.isEmpty }
}
