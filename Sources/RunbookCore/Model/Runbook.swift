/// A parsed, validated runbook: one YAML file of `runbooks/`.
public struct Runbook: Sendable {
    public var id: String
    public var title: String
    public var description: String?
    public var severity: String?
    /// The severity of a runbook that names none, for templates and listings.
    public static let defaultSeverity = "P3"
    public var owner: String?
    public var tags: [String]
    public var inputs: [InputSpec]
    public var steps: [Step]
    /// The file it was read from, and the SHA-256 of its bytes (recorded in the audit log).
    public var path: String
    public var sha256: String

    public init(id: String, title: String, path: String, sha256: String) {
        self.id = id
        self.title = title
        self.path = path
        self.sha256 = sha256
        self.tags = []
        self.inputs = []
        self.steps = []
    }

    public func step(_ id: String) -> Step? { steps.first { $0.id == id } }

    /// Whether any step reads `env.` (a runbook that does not needs no environment file).
    public var usesEnvironment: Bool {
        steps.contains { step in
            if case .sql = step.driver { return true }
            if case .shell(let s) = step.driver, s.namedCommand != nil { return true }
            if case .http(let h) = step.driver, h.auth != nil { return true }
            return step.allExpressions.contains { $0.value.references.contains { $0.segments.first == "env" } }
        }
    }
}
