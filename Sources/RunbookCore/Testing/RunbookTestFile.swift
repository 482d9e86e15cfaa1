/// A runbook's test file, `runbook-tests/<runbook-id>.yaml`: shared fixtures and cases.
public struct RunbookTestFile: Sendable {
    /// The file, as diagnostics show it.
    public var path: String
    /// `runbook:`, the id of the runbook under test (the file's name).
    public var runbook: String
    /// `environment:`, whose values `env.` reads (default `sandbox`), loaded with no process
    /// variable set, so cases do not depend on the machine.
    public var environment: String
    /// Whether the file names its environment (else the default, `sandbox`, is used when it exists).
    public var environmentNamed = false
    /// The cases, in file order, each with the file's fixtures merged into its own.
    public var cases: [RunbookTestCase]

    /// A file with no case.
    public init(path: String, runbook: String, environment: String = "sandbox", cases: [RunbookTestCase] = []) {
        self.path = path
        self.runbook = runbook
        self.environment = environment
        self.cases = cases
    }
}
