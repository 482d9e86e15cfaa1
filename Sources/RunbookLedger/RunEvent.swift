public import RunbookCore

/// One audit record of a run, decoded once into what it says (the records are already
/// redacted). ``RunTimeline`` folds these; `runbook runs show` and the console's run page both
/// read the timeline, so no one reads a record's fields as strings twice.
public struct RunEvent: Sendable, Hashable {
    /// What the record says.
    public enum Kind: Sendable, Hashable {
        /// `run.started`.
        case runStarted(RunStart)
        /// `step.started`, or `step.planned` in a dry run (`planned`).
        case stepStarted(kind: String?, command: Value?, planned: Bool)
        /// `gate.decision`; `command` when the record carries the step's command.
        case gate(RunTimeline.Gate, command: Value?)
        /// `approval.stale`: what changed since the approval (nil when the record has no list).
        case approvalStale(diff: [String]?)
        /// `step.skipped`.
        case stepSkipped(reason: String?)
        /// `step.ended`.
        case stepEnded(StepEnd)
        /// `run.ended`.
        case runEnded(RunEnd)
        /// Any other event, by name.
        case other(String)
    }

    /// What `run.started` says.
    public struct RunStart: Sendable, Hashable {
        public var runID: String?
        public var runbook: String?
        public var environment: String?
        public var mode: String?
        public var operatorName: String?
        public var host: String?
        public var runbookPath: String?
        public var runbookSHA256: String?
        public var runLock: String?
        /// The inputs as recorded (secret values already `***`), in order.
        public var inputs: [RunTimeline.Input]
    }

    /// What `step.ended` says.
    public struct StepEnd: Sendable, Hashable {
        public var kind: String?
        public var status: String?
        public var durationMs: Int?
        public var attempts: Int?
        public var message: String?
        public var excerpt: String?
    }

    /// What `run.ended` says.
    public struct RunEnd: Sendable, Hashable {
        public var status: String?
        public var exitCode: Int?
        public var durationMs: Int?
        public var message: String?
    }

    /// The record's `seq`.
    public var seq: Int?
    /// The record's time (`ts`), as written.
    public var at: String?
    /// The step it is about; nil for the run's own records.
    public var step: String?
    /// The record's event name (`run.started`, `step.ended`, ...), as written.
    public var name: String
    public var kind: Kind

    /// Decodes one record.
    public init(_ r: ValueObject) {
        if case .int(let seq)? = r["seq"] { self.seq = seq }
        at = r["ts"]?.stringValue
        step = r["step"]?.stringValue
        let event = r["event"]?.stringValue ?? ""
        name = event
        switch event {
        case "run.started":
            var inputs: [RunTimeline.Input] = []
            if case .object(let o)? = r["inputs"] { inputs = o.pairs.map { RunTimeline.Input(key: $0.key, value: $0.value.interpolated) } }
            kind = .runStarted(RunStart(runID: r["run_id"]?.stringValue, runbook: r["runbook"]?.stringValue, environment: r["environment"]?.stringValue,
                                        mode: r["mode"]?.stringValue, operatorName: r["operator"]?.stringValue, host: r["host"]?.stringValue,
                                        runbookPath: r["runbook_path"]?.interpolated, runbookSHA256: r["runbook_sha256"]?.interpolated,
                                        runLock: r["run_lock"]?.stringValue, inputs: inputs))
        case "run.ended":
            kind = .runEnded(RunEnd(status: r["status"]?.stringValue, exitCode: Self.int(r["exit_code"]), durationMs: Self.int(r["duration_ms"]),
                                    message: r["message"]?.stringValue))
        case "step.planned" where step != nil, "step.started" where step != nil:
            kind = .stepStarted(kind: r["kind"]?.stringValue, command: r["command"], planned: event == "step.planned")
        case "gate.decision" where step != nil:
            var approvers: [String] = []
            if case .list(let items)? = r["approval"]?["approvals"] {
                approvers = items.map { a in
                    let name = a["approver"]?.stringValue ?? "?"
                    return a["via"]?.stringValue == "console" ? "\(name) via console" : name
                }
            }
            kind = .gate(RunTimeline.Gate(risk: r["risk"]?.stringValue ?? "?", decision: r["decision"]?.stringValue ?? "?",
                                          by: r["by"]?.stringValue ?? "?", how: r["how"]?.stringValue ?? "?",
                                          question: r["question"]?.stringValue, requestID: r["approval"]?["request_id"]?.stringValue,
                                          approvers: approvers),
                         command: r["command"])
        case "approval.stale" where step != nil:
            var diff: [String]?
            if case .list(let d)? = r["diff"] { diff = d.map(\.interpolated) }
            kind = .approvalStale(diff: diff)
        case "step.skipped" where step != nil:
            kind = .stepSkipped(reason: r["reason"]?.stringValue)
        case "step.ended" where step != nil:
            kind = .stepEnded(StepEnd(kind: r["kind"]?.stringValue, status: r["status"]?.stringValue, durationMs: Self.int(r["duration_ms"]),
                                      attempts: Self.int(r["attempts"]), message: r["message"]?.stringValue, excerpt: r["excerpt"]?.stringValue))
        default:
            kind = .other(event)
        }
    }

    static func int(_ v: Value?) -> Int? {
        if case .int(let i)? = v { return i }
        return nil
    }
}
