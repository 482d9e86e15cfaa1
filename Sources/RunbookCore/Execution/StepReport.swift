/// One step's outcome.
public struct StepReport: Sendable {
    public var id: String
    public var kind: Step.Kind
    public var title: String
    public var status: StepStatus
    public var durationMs: Int
    public var result: Value
    /// The rendered command, redacted.
    public var command: String?
    /// Why: a skip reason, what a planned action would do, an error.
    public var message: String?
    public var attempts: Int
    public var excerpt: String?
    /// The earlier check this one repeats (`same-as`), whose status it supersedes when it runs.
    public var supersedes: String?
    /// A check without thresholds whose result is the information (its rows are shown even when green).
    public var informational = false
    /// Why the step could not run, when a driver said so.
    public var failureCode: DriverError.Code?

    public init(id: String, kind: Step.Kind, title: String, status: StepStatus, durationMs: Int = 0, result: Value = .null,
                command: String? = nil, message: String? = nil, attempts: Int = 0, excerpt: String? = nil)
    {
        self.id = id
        self.kind = kind
        self.title = title
        self.status = status
        self.durationMs = durationMs
        self.result = result
        self.command = command
        self.message = message
        self.attempts = attempts
        self.excerpt = excerpt
    }

    /// What `steps.<id>` reads in later expressions.
    public var scopeValue: Value {
        .object([("status", .string(status.rawValue)), ("result", result), ("duration_ms", .int(durationMs)),
                 ("error", message.map(Value.string) ?? .null), ("attempts", .int(attempts)), ("kind", .string(kind.rawValue))])
    }
}
