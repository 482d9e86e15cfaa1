/// One step's outcome.
public struct StepReport: Sendable {
    /// The step id, unique within the runbook; `steps.<id>` in later expressions.
    public var id: String
    /// Check, action or notify.
    public var kind: Step.Kind
    /// The step's `title:`, or its id when it has none.
    public var title: String
    /// Where the step ended; `skipped` until the ``StepMachine`` says otherwise.
    public var status: StepStatus
    /// Milliseconds from the step's start to its end: every attempt, the waits between
    /// retries, and the time the operator took at its gate.
    public var durationMs: Int
    /// What the step returned (`rows`, `exit_code`, `status`...), redacted; `.null` when nothing
    /// ran. A dry-run notify step holds its rendered message here.
    public var result: Value
    /// The rendered command, redacted; nil when it was never rendered (skipped, or `when`
    /// could not be evaluated).
    public var command: String?
    /// Why: a skip reason, what a planned action would do, an error, a gate hint; nil for a
    /// step that simply succeeded.
    public var message: String?
    /// How many times the command was performed: 1, more with `retry:`, 0 when it never ran.
    public var attempts: Int
    /// A bounded excerpt of the output (stdout tail, rows, body), redacted; nil when nothing ran.
    public var excerpt: String?
    /// The earlier check this one repeats (`same-as`), whose status it supersedes when it runs.
    public var supersedes: String?
    /// A check without thresholds whose result is the information (its rows are shown even when green).
    public var informational = false
    /// Why the step could not run, when a driver said so.
    public var failureCode: DriverError.Code?

    /// A report; the ``StepMachine`` sets ``supersedes``, ``informational`` and ``failureCode``.
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
