import Foundation
public import RunbookCore

/// One run folded from its audit records (already redacted), decoded once into
/// ``RunEvent``s: who ran what, where, each step in the order it began with its command, gate
/// decisions, status and excerpt, and how it ended. Pure: what `runbook runs show` tells and
/// the console's run page shows.
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

    /// One input as recorded (a secret value already `***`).
    public struct Input: Sendable, Hashable {
        public var key: String
        public var value: String
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
        /// Its records, in log order.
        public var events: [RunEvent] = []

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
    public var runbookPath: String?
    public var runbookSHA256: String?
    public var runLock: String?
    /// The inputs as recorded (secret values already `***`), in order.
    public var inputs: [Input] = []
    public var steps: [Step] = []
    /// The run's own records but its end (`run.started`, anything about no step), in log order.
    public var runEvents: [RunEvent] = []
    /// Its `run.ended` records (one, once it ended).
    public var endEvents: [RunEvent] = []
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
        self.init(events: records.map(RunEvent.init))
    }

    /// Folds `events` (one run's, in log order).
    public init(events: [RunEvent]) {
        var index: [String: Int] = [:]
        for e in events {
            if let seq = e.seq { lastSeq = max(lastSeq, seq) }
            guard let id = e.step else {
                switch e.kind {
                case .runStarted(let s):
                    runID = s.runID
                    runbook = s.runbook
                    environment = s.environment
                    mode = s.mode
                    operatorName = s.operatorName
                    host = s.host
                    startedAt = e.at
                    runbookPath = s.runbookPath
                    runbookSHA256 = s.runbookSHA256
                    runLock = s.runLock
                    inputs = s.inputs
                case .runEnded(let end):
                    endedAt = e.at
                    status = end.status
                    exitCode = end.exitCode
                    durationMs = end.durationMs
                    message = end.message
                    endEvents.append(e)
                    continue
                default:
                    break
                }
                runEvents.append(e)
                continue
            }
            let i: Int
            if let known = index[id] {
                i = known
            } else {
                steps.append(Step(id: id))
                i = steps.count - 1
                index[id] = i
            }
            steps[i].events.append(e)
            switch e.kind {
            case .stepStarted(let kind, let command, let planned):
                steps[i].kind = kind ?? steps[i].kind
                steps[i].command = Self.commandLine(command)
                steps[i].planned = planned
            case .gate(let gate, let command):
                steps[i].gates.append(gate)
                if steps[i].command == nil { steps[i].command = Self.commandLine(command) }
            case .approvalStale(let diff):
                if let diff { steps[i].staleDiff = diff }
            case .stepSkipped(let reason):
                steps[i].status = "skipped"
                steps[i].skippedReason = reason
            case .stepEnded(let end):
                steps[i].kind = end.kind ?? steps[i].kind
                steps[i].status = end.status
                steps[i].durationMs = end.durationMs
                steps[i].attempts = end.attempts
                steps[i].message = end.message
                steps[i].excerpt = end.excerpt
            case .runStarted, .runEnded, .other:
                continue
            }
        }
        // A run that ended leaves no step running: one stopped at its gate shows the gate's word.
        if endedAt != nil {
            for i in steps.indices where steps[i].status == nil { steps[i].status = steps[i].gates.last?.decision ?? "unfinished" }
        }
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
