import Foundation
public import RunbookCore

/// One run folded from its audit records (already redacted): who ran what, where, each step in
/// the order it began with its command, gate decisions, status and excerpt, and how it ended.
/// Pure: what `runbook runs show` tells and the console's run page shows.
public struct RunTimeline: Sendable {
    /// A gate decision on a step.
    public struct Gate: Sendable, Hashable {
        public var risk: String
        public var decision: String
        public var by: String
        public var how: String
        public var question: String?
        /// The four-eyes request, when approvals passed or hold the gate.
        public var requestID: String?
        /// The approvers counted, when approvals passed it (`bob via console`).
        public var approvers: [String]
    }

    /// One step.
    public struct Step: Sendable, Hashable {
        public var id: String
        /// `check`, `action` or `notify`; nil when no record said.
        public var kind: String?
        /// The rendered command, one line (``commandLine(_:)``).
        public var command: String?
        /// Whether the command was only planned (dry run).
        public var planned = false
        /// Its status once ended (green, red, succeeded, awaiting-approval...), `skipped`, or nil
        /// while it runs.
        public var status: String?
        public var durationMs: Int?
        public var attempts: Int?
        public var message: String?
        public var excerpt: String?
        public var skippedReason: String?
        public var gates: [Gate] = []
        /// Findings of a stale approval: what changed.
        public var staleDiff: [String] = []

        /// What to show as its status: the status, or `running` while it has none.
        public var displayStatus: String { status ?? "running" }
    }

    public var runID: String?
    public var runbook: String?
    public var environment: String?
    public var mode: String?
    public var operatorName: String?
    public var host: String?
    public var startedAt: String?
    public var runbookSHA256: String?
    public var runLock: String?
    /// The inputs as recorded (secret values already `***`), in order.
    public var inputs: [(key: String, value: String)] = []
    public var steps: [Step] = []
    /// Set once `run.ended` is recorded.
    public var endedAt: String?
    public var status: String?
    public var exitCode: Int?
    public var durationMs: Int?
    public var message: String?
    /// The highest `seq` folded.
    public var lastSeq = 0

    /// Folds `records` (one run's, in log order).
    public init(_ records: [ValueObject]) {
        var index: [String: Int] = [:]
        func step(_ id: String) -> Int {
            if let i = index[id] { return i }
            steps.append(Step(id: id))
            index[id] = steps.count - 1
            return steps.count - 1
        }
        for r in records {
            if case .int(let seq)? = r["seq"] { lastSeq = max(lastSeq, seq) }
            let event = r["event"]?.stringValue ?? ""
            switch event {
            case "run.started":
                runID = r["run_id"]?.stringValue
                runbook = r["runbook"]?.stringValue
                environment = r["environment"]?.stringValue
                mode = r["mode"]?.stringValue
                operatorName = r["operator"]?.stringValue
                host = r["host"]?.stringValue
                startedAt = r["ts"]?.stringValue
                runbookSHA256 = r["runbook_sha256"]?.stringValue
                runLock = r["run_lock"]?.stringValue
                if case .object(let o)? = r["inputs"] { inputs = o.pairs.map { ($0.key, $0.value.interpolated) } }
            case "run.ended":
                endedAt = r["ts"]?.stringValue
                status = r["status"]?.stringValue
                exitCode = Self.int(r["exit_code"])
                durationMs = Self.int(r["duration_ms"])
                message = r["message"]?.stringValue
            default:
                guard let id = r["step"]?.stringValue else { continue }
                let i = step(id)
                switch event {
                case "step.planned", "step.started":
                    steps[i].kind = r["kind"]?.stringValue ?? steps[i].kind
                    steps[i].command = Self.commandLine(r["command"])
                    steps[i].planned = event == "step.planned"
                case "gate.decision":
                    var approvers: [String] = []
                    if case .list(let items)? = r["approval"]?["approvals"] {
                        approvers = items.map { a in
                            let name = a["approver"]?.stringValue ?? "?"
                            return a["via"]?.stringValue == "console" ? "\(name) via console" : name
                        }
                    }
                    steps[i].gates.append(Gate(risk: r["risk"]?.stringValue ?? "?", decision: r["decision"]?.stringValue ?? "?",
                                               by: r["by"]?.stringValue ?? "?", how: r["how"]?.stringValue ?? "?",
                                               question: r["question"]?.stringValue, requestID: r["approval"]?["request_id"]?.stringValue,
                                               approvers: approvers))
                    if steps[i].command == nil { steps[i].command = Self.commandLine(r["command"]) }
                case "approval.stale":
                    if case .list(let d)? = r["diff"] { steps[i].staleDiff = d.map(\.interpolated) }
                case "step.skipped":
                    steps[i].status = "skipped"
                    steps[i].skippedReason = r["reason"]?.stringValue
                case "step.ended":
                    steps[i].kind = r["kind"]?.stringValue ?? steps[i].kind
                    steps[i].status = r["status"]?.stringValue
                    steps[i].durationMs = Self.int(r["duration_ms"])
                    steps[i].attempts = Self.int(r["attempts"])
                    steps[i].message = r["message"]?.stringValue
                    steps[i].excerpt = r["excerpt"]?.stringValue
                default:
                    continue
                }
            }
        }
        // A run that ended leaves no step running: one stopped at its gate shows the gate's word.
        if endedAt != nil {
            for i in steps.indices where steps[i].status == nil { steps[i].status = steps[i].gates.last?.decision ?? "unfinished" }
        }
    }

    static func int(_ v: Value?) -> Int? {
        if case .int(let i)? = v { return i }
        return nil
    }

    /// A rendered command (as the audit log records it) as one line: argv joined, SQL on one
    /// line with its parameters, HTTP as `METHOD URL`, a notification as its template and channel.
    public static func commandLine(_ value: Value?) -> String? {
        guard let value else { return nil }
        switch value {
        case .null: return nil
        case .string(let s): return s
        case .list(let items): return items.map(\.interpolated).joined(separator: " ")
        case .object(let o):
            if let sql = o["sql"]?.stringValue {
                var text = sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
                if case .object(let params)? = o["params"], !params.pairs.isEmpty {
                    text += "  [" + params.pairs.map { "\($0.key)=\($0.value.interpolated)" }.joined(separator: ", ") + "]"
                }
                return text
            }
            if let template = o["template"]?.stringValue { return "template \(template) to \(o["channel"]?.interpolated ?? "?")" }
            if let argv = o["argv"] { return commandLine(argv) }
            if let method = o["method"]?.stringValue, let url = o["url"]?.stringValue { return "\(method) \(url)" }
            return JSON.encode(value)
        default: return value.interpolated
        }
    }
}
