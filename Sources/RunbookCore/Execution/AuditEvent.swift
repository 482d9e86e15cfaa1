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
    /// A four-eyes approval no longer matched the plan at the gate: what changed (synced; nothing ran).
    case approvalStale(step: String, requestID: String, approvedDigest: String, digest: String, diff: [String])
    /// The run ended.
    case runEnded(status: String, exitCode: Int32, durationMs: Int, message: String?)

    /// What `run.started` records.
    public struct RunStarted: Sendable {
        /// The runbook id.
        public var runbook: String
        /// SHA-256 (hex) of the runbook file's bytes: which version of it ran.
        public var runbookSHA256: String
        /// The runbook file's path, as loaded.
        public var runbookPath: String
        /// The environment's name.
        public var environment: String
        /// `dry-run` or `live`.
        public var mode: String
        /// Who runs it (`operator` in the record).
        public var operatorName: String
        /// The machine it runs on.
        public var host: String
        /// The run's inputs as an object, redacted.
        public var inputs: Value
        /// What became of the run lock, when the run takes one.
        public var runLock: String?

        /// The record's fields; `inputs` must already be redacted.
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
        /// `approved` (at the terminal or by a flag), `declined` (at the terminal), or
        /// `awaiting-approval` (no way to pass it now: the run stopped there).
        public enum Decision: String, Sendable { case approved, declined, awaitingApproval = "awaiting-approval" }
        /// The action's step id.
        public var step: String
        /// The action's `risk:`, which decided how it was asked.
        public var risk: Step.Risk
        /// What was decided.
        public var decision: Decision
        /// The run's operator name: who answered or passed the flag.
        public var by: String
        /// `terminal`, `--yes`, `--approve ID`, or `none`.
        public var how: String
        /// The rendered `confirm:` question, redacted; nil when nothing was asked (a flag, or blocked).
        public var question: String?
        /// The rendered command decided on (``RenderedCommand/auditValue``, redacted); null when
        /// nothing was rendered.
        public var command: Value
        /// A four-eyes gate's request: id, requester, digest, required and the signed approvals
        /// (``ApprovalGrant/auditValue``); nil for other gates (old logs have none).
        public var approval: Value?

        /// The record's fields, already redacted.
        public init(step: String, risk: Step.Risk, decision: Decision, by: String, how: String, question: String? = nil, command: Value,
                    approval: Value? = nil)
        {
            self.approval = approval
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
        /// The step id.
        public var step: String
        /// Check, action or notify.
        public var kind: Step.Kind
        /// Where it ended.
        public var status: StepStatus
        /// Milliseconds, as ``StepReport/durationMs``.
        public var durationMs: Int
        /// How many times it was performed (0 when it never ran).
        public var attempts: Int
        /// SHA-256 (hex) of the whole raw output of the last attempt that produced one; nil when
        /// nothing ran.
        public var outputSHA256: String?
        /// The redacted output excerpt, cut to ``excerptLimit`` characters (then ending
        /// `…[truncated]`); empty when there was none.
        public var excerpt: String
        /// Why it ended so (an error, a failure, a retry giving up), redacted; nil when there is
        /// nothing to say.
        public var message: String?

        /// The audit keeps at most this much of an output; the digest covers all of it.
        public static let excerptLimit = 2000

        /// The record's fields, already redacted; cuts `excerpt` to ``excerptLimit``.
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
        case .approvalStale: "approval.stale"
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
            if let a = g.approval { f.append(("approval", a)) }
            return f
        case .approvalStale(let step, let request, let approved, let digest, let diff):
            return [("step", .string(step)), ("request_id", .string(request)), ("approved_digest", .string(approved)),
                    ("digest", .string(digest)), ("diff", .list(diff.map(Value.string)))]
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
    func record(_ event: AuditEvent, runID: String, sync: Bool) async throws(AuditError)
    /// Forces every record written so far to stable storage.
    func flush() async throws(AuditError)
    /// Writes `event`, an approved action's `step.started`, synced, and records `use` with it
    /// where both are kept in one transaction (the team's ledger). A sink without a ledger
    /// cannot record a use: the action does not run.
    func start(_ event: AuditEvent, runID: String, using use: ApprovalUse) async throws(AuditError) -> ApprovalUse.Outcome
}

extension AuditSink {
    public func start(_ event: AuditEvent, runID: String, using use: ApprovalUse) async throws(AuditError) -> ApprovalUse.Outcome {
        try await record(event, runID: runID, sync: true)
        return .unavailable("this run's audit does not reach a ledger, where \(use.requestID) would be used with the start of '\(use.step)'")
    }
}

extension AuditLog: AuditSink {
    /// Appends `event` as one hash-chained JSON line; `sync` fsyncs it before returning.
    public func record(_ event: AuditEvent, runID: String, sync: Bool) throws(AuditError) {
        try append(event: event.name, runID: runID, fields: event.fields, sync: sync)
    }

    /// Fsyncs the log.
    public func flush() throws(AuditError) { try sync() }
}

/// An audit sink that keeps nothing: for plans, which run nothing.
public struct DiscardingAuditSink: AuditSink {
    /// A sink that keeps nothing.
    public init() {}
    /// Drops `event`; never throws.
    public func record(_ event: AuditEvent, runID: String, sync: Bool) throws(AuditError) {}
    /// Does nothing; never throws.
    public func flush() throws(AuditError) {}
}
