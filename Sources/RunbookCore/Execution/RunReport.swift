import Foundation

/// The outcome of a run: what `--format json`, `--junit` and the text output are made from.
public struct RunReport: Sendable {
    public enum Status: String, Sendable {
        case running, green, yellow, red, error
        case awaitingApproval = "awaiting-approval"
        case aborted
    }

    public var runID: String
    public var runbook: String
    public var title: String
    public var environment: String
    public var dryRun: Bool
    public var status: Status
    public var steps: [StepReport]
    public var startedAt: Date
    public var durationMs: Int
    /// Why the run stopped early, when it did.
    public var message: String?
    public var interrupted = false
    public var stoppedAtGate = false
    /// A step could not run, or the audit log could not be written.
    public var couldNotRun = false

    public var mode: String { dryRun ? "dry-run" : "live" }

    public init(runID: String, runbook: String, title: String, environment: String, dryRun: Bool, status: Status,
                steps: [StepReport], startedAt: Date, durationMs: Int)
    {
        self.runID = runID
        self.runbook = runbook
        self.title = title
        self.environment = environment
        self.dryRun = dryRun
        self.status = status
        self.steps = steps
        self.startedAt = startedAt
        self.durationMs = durationMs
    }

    /// The CLI contract: 0 all green/yellow and actions done · 1 red or action failed ·
    /// 3 stopped at a gate · 4 a step could not run · 130 interrupted.
    public var exitCode: Int32 {
        if interrupted { return 130 }
        if stoppedAtGate { return 3 }
        let counted = effectiveSteps
        if couldNotRun || counted.contains(where: { $0.status == "error" }) { return 4 }
        if counted.contains(where: { $0.status == "red" || $0.status == "failed" }) { return 1 }
        return 0
    }

    /// The steps that decide the outcome: a check re-run later by a `same-as` step that ran
    /// (the verification after a repair) is superseded by it, so "red, repaired, verified
    /// green" ends green, while "red, repaired, still red" stays red.
    public var effectiveSteps: [StepReport] {
        var superseded = Set<String>()
        for step in steps where step.kind == .check && step.status != "skipped" {
            if let earlier = step.supersedes { superseded.insert(earlier) }
        }
        return steps.filter { !superseded.contains($0.id) }
    }

    /// The run's colour from its steps.
    public mutating func settleStatus() {
        if interrupted { status = .aborted; return }
        if stoppedAtGate {
            status = steps.contains { $0.status == "declined" } ? .aborted : .awaitingApproval
            return
        }
        let counted = effectiveSteps
        if couldNotRun || counted.contains(where: { $0.status == "error" }) { status = .error; return }
        if counted.contains(where: { $0.status == "red" || $0.status == "failed" }) { status = .red; return }
        if counted.contains(where: { $0.status == "yellow" }) { status = .yellow; return }
        status = .green
    }
}

/// One step's outcome.
public struct StepReport: Sendable {
    public var id: String
    public var kind: Step.Kind
    public var title: String
    /// Checks: green, yellow, red, error. Actions and notify: succeeded, failed, skipped,
    /// planned, declined, awaiting-approval. Any step: skipped.
    public var status: String
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

    public init(id: String, kind: Step.Kind, title: String, status: String, durationMs: Int = 0, result: Value = .null,
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
        .object([("status", .string(status)), ("result", result), ("duration_ms", .int(durationMs)),
                 ("error", message.map(Value.string) ?? .null), ("attempts", .int(attempts)), ("kind", .string(kind.rawValue))])
    }
}
