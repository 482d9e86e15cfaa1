/// The verdict a case expects; only what it names is compared.
public struct RunbookTestExpectation: Sendable {
    /// `exit:`, the process exit code of the run (DESIGN.md's contract).
    public var exitCode: Located<Int>?
    /// `status:`, the run's colour (`green`, `yellow`, `red`, `error`, `awaiting-approval`...).
    public var status: Located<String>?
    /// `steps: {id: status}`: each named step's status (`red`, `planned`, `skipped`...).
    public var steps: [(id: String, status: StepStatus, location: SourceLocation)] = []
    /// `notify: {id: [text...]}`: texts the notify step's rendered message contains.
    public var notify: [(id: String, texts: [String], location: SourceLocation)] = []

    /// Nothing expected yet.
    public init() {}
}
