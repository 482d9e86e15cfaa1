/// One record of the audit log, typed: the executor says *what* happened, this type alone
/// says how it is written (event name and fields). Values are already redacted.
public enum AuditEvent: Sendable {
    /// The run began: what, where, by whom, with which inputs.
    case runStarted(RunStarted)
    /// A step whose `when` was false.
    case stepSkipped(step: String, reason: String)
    /// A dry run showed the step instead of performing it.
    case stepPlanned(step: String, kind: Step.Kind, command: Value)
    /// A gate was passed, refused, or could not be passed now.
    case gateDecision(GateDecision)
    /// A step is about to be performed (synced before an action).
    case stepStarted(step: String, kind: Step.Kind, command: Value)
    /// A step ended, however it ended.
    case stepEnded(StepEnded)
    /// The run ended.
    case runEnded(status: String, exitCode: Int32, durationMs: Int, message: String?)

    /// What `run.started` records.
    public struct RunStarted: Sendable {
        public var runbook: String
        public var runbookSHA256: String
        public var runbookPath: String
        public var environment: String
        public var mode: String
        public var operatorName: String
        public var host: String
        public var inputs: Value
        /// What became of the run lock, when the run takes one.
        public var runLock: String?

        public init(runbook: String, runbookSHA256: String, runbookPath: String, environment: String, mode: String,
                    operatorName: String, host: String, inputs: Value, runLock: String? = nil)
        {
            self.runLock = runLock
            self.runbook = runbook
            self.runbookSHA256 = runbookSHA256
            self.runbookPath = runbookPath
            self.environment = environment
            self.mode = mode
            self.operatorName = operatorName
            self.host = host
            self.inputs = inputs
        }
    }

    /// What `gate.decision` records: who decided what, how, about which command.
    public struct GateDecision: Sendable, Hashable {
        public enum Decision: String, Sendable { case approved, declined, awaitingApproval = "awaiting-approval" }
        public var step: String
        public var risk: Step.Risk
        public var decision: Decision
        public var by: String
        /// `terminal`, `--yes`, `--approve ID`, or `none`.
        public var how: String
        public var question: String?
        public var command: Value

        public init(step: String, risk: Step.Risk, decision: Decision, by: String, how: String, question: String? = nil, command: Value) {
            self.step = step
            self.risk = risk
            self.decision = decision
            self.by = by
            self.how = how
            self.question = question
            self.command = command
        }
    }

    /// What `step.ended` records.
    public struct StepEnded: Sendable, Hashable {
        public var step: String
        public var kind: Step.Kind
        public var status: StepStatus
        public var durationMs: Int
        public var attempts: Int
        public var outputSHA256: String?
        public var excerpt: String
        public var message: String?

        /// The audit keeps at most this much of an output; the digest covers all of it.
        public static let excerptLimit = 2000

        public init(step: String, kind: Step.Kind, status: StepStatus, durationMs: Int, attempts: Int,
                    outputSHA256: String?, excerpt: String?, message: String?)
        {
            self.step = step
            self.kind = kind
            self.status = status
            self.durationMs = durationMs
            self.attempts = attempts
            self.outputSHA256 = outputSHA256
            var text = excerpt ?? ""
            if text.count > Self.excerptLimit { text = String(text.prefix(Self.excerptLimit)) + "…[truncated]" }
            self.excerpt = text
            self.message = message
        }
    }

    /// The `event` field.
    public var name: String {
        switch self {
        case .runStarted: "run.started"
        case .stepSkipped: "step.skipped"
        case .stepPlanned: "step.planned"
        case .gateDecision: "gate.decision"
        case .stepStarted: "step.started"
        case .stepEnded: "step.ended"
        case .runEnded: "run.ended"
        }
    }

    /// The record's fields, in the order they are written.
    public var fields: [(String, Value)] {
        switch self {
        case .runStarted(let r):
            return [("runbook", .string(r.runbook)), ("runbook_sha256", .string(r.runbookSHA256)), ("runbook_path", .string(r.runbookPath)),
                    ("environment", .string(r.environment)), ("mode", .string(r.mode)), ("operator", .string(r.operatorName)),
                    ("host", .string(r.host)), ("inputs", r.inputs)] + (r.runLock.map { [("run_lock", .string($0))] } ?? [])
        case .stepSkipped(let step, let reason):
            return [("step", .string(step)), ("reason", .string(reason))]
        case .stepPlanned(let step, let kind, let command), .stepStarted(let step, let kind, let command):
            return [("step", .string(step)), ("kind", .string(kind.rawValue)), ("command", command)]
        case .gateDecision(let g):
            var f: [(String, Value)] = [("step", .string(g.step)), ("risk", .string(g.risk.rawValue)), ("decision", .string(g.decision.rawValue)),
                                        ("by", .string(g.by)), ("how", .string(g.how))]
            if let q = g.question { f.append(("question", .string(q))) }
            f.append(("command", g.command))
            return f
        case .stepEnded(let e):
            return [("step", .string(e.step)), ("kind", .string(e.kind.rawValue)), ("status", .string(e.status.rawValue)),
                    ("duration_ms", .int(e.durationMs)), ("attempts", .int(e.attempts)),
                    ("output_sha256", e.outputSHA256.map(Value.string) ?? .null), ("excerpt", .string(e.excerpt)),
                    ("message", e.message.map(Value.string) ?? .null)]
        case .runEnded(let status, let exitCode, let durationMs, let message):
            return [("status", .string(status)), ("exit_code", .int(Int(exitCode))), ("duration_ms", .int(durationMs)),
                    ("message", message.map(Value.string) ?? .null)]
        }
    }
}

/// Where the executor writes its audit records: the local log file, later also the team's
/// ledger; a plan writes nowhere. Throwing means the record is not safely written: no action
/// may run after it.
public protocol AuditSink: Sendable {
    /// Writes `event` for run `runID`; `sync` forces it to stable storage before returning.
    func record(_ event: AuditEvent, runID: String, sync: Bool) throws(AuditError)
    /// Forces every record written so far to stable storage.
    func flush() throws(AuditError)
}

extension AuditLog: AuditSink {
    public func record(_ event: AuditEvent, runID: String, sync: Bool) throws(AuditError) {
        try append(event: event.name, runID: runID, fields: event.fields, sync: sync)
    }

    public func flush() throws(AuditError) { try sync() }
}

/// An audit sink that keeps nothing: for plans, which run nothing.
public struct DiscardingAuditSink: AuditSink {
    public init() {}
    public func record(_ event: AuditEvent, runID: String, sync: Bool) throws(AuditError) {}
    public func flush() throws(AuditError) {}
}
