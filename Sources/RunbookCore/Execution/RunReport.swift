import Foundation

/// The outcome of a run: what `--format json`, `--junit` and the text output are made from.
public struct RunReport: Sendable {
    /// The run's colour, as `--format json` prints it.
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
    public var steps: [StepReport]
    public var startedAt: Date
    public var durationMs: Int
    /// Why the run stopped early, when it did.
    public var message: String?
    /// How the run ended; nil while it runs.
    public var end: RunOutcome.End?

    public var mode: String { dryRun ? "dry-run" : "live" }

    public init(runID: String, runbook: String, title: String, environment: String, dryRun: Bool,
                steps: [StepReport] = [], startedAt: Date, durationMs: Int = 0)
    {
        self.runID = runID
        self.runbook = runbook
        self.title = title
        self.environment = environment
        self.dryRun = dryRun
        self.steps = steps
        self.startedAt = startedAt
        self.durationMs = durationMs
    }

    /// The outcome, once the run has ended.
    public var outcome: RunOutcome? { end.map { RunOutcome(end: $0, steps: steps) } }

    /// The run's colour (`running` until it ends).
    public var status: Status { outcome?.status ?? .running }

    /// The CLI contract: 0 all green/yellow and actions done · 1 red or action failed ·
    /// 2 configuration error · 3 stopped at a gate · 4 a step could not run · 130 interrupted.
    public var exitCode: Int32 { outcome?.exitCode ?? 0 }

    /// The steps that decide the outcome (see ``RunOutcome/effective(_:)``).
    public var effectiveSteps: [StepReport] { RunOutcome.effective(steps) }
}
