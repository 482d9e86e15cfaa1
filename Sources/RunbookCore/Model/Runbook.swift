/// A parsed, validated runbook: one YAML file of `runbooks/`.
public struct Runbook: Sendable {
    /// The runbook id (`runbook:`), equal to its file name: what `runbook run ID` takes.
    public var id: String
    /// `title:`, shown in listings, reports and `run.title`.
    public var title: String
    /// `description:`; nil when not given.
    public var description: String?
    /// `severity:`, `P1`...`P4`; nil when not given (see ``defaultSeverity``).
    public var severity: String?
    /// The severity of a runbook that names none, for templates and listings.
    public static let defaultSeverity = "P3"
    /// `owner:`, the team that maintains it; nil when not given.
    public var owner: String?
    /// `tags:`, for listings.
    public var tags: [String]
    /// The declared inputs, in file order: `inputs.<name>` in expressions.
    public var inputs: [InputSpec]
    /// The steps, in the order they run.
    public var steps: [Step]
    /// `schedule:`, when systemd or Kubernetes runs it; nil for none.
    public var schedule: Schedule?
    /// `triggers:`, the alerts this runbook answers (docs/alerts.md); empty for none.
    public var triggers: [Trigger] = []
    /// The file it was read from; recorded in the audit log with its SHA-256.
    public var path: String
    /// SHA-256 (hex) of the file's bytes, recorded in `run.started`: which version ran.
    public var sha256: String

    /// A runbook with no inputs, tags or steps yet.
    public init(id: String, title: String, path: String, sha256: String) {
        self.id = id
        self.title = title
        self.path = path
        self.sha256 = sha256
        self.tags = []
        self.inputs = []
        self.steps = []
    }

    /// The step with this id; nil when there is none.
    public func step(_ id: String) -> Step? { steps.first { $0.id == id } }

    /// Whether the runbook needs an environment file: an SQL step (it connects to
    /// `database.url`), a named `command:`, `auth: bearer`, or any expression reading `env.`.
    /// A runbook that needs none runs without one.
    public var usesEnvironment: Bool {
        steps.contains { step in
            if case .sql = step.driver { return true }
            if case .shell(let s) = step.driver, s.namedCommand != nil { return true }
            if case .http(let h) = step.driver, h.auth != nil { return true }
            return step.allExpressions.contains { $0.value.references.contains { $0.segments.first == "env" } }
        }
    }
}
