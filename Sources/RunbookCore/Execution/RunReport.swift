public import Foundation

/// The outcome of a run: what `--format json`, `--junit` and the text output are made from.
public struct RunReport: Sendable {
    /// The run's colour, as `--format json` prints it.
    public enum Status: String, Sendable {
        /// `running`: not ended yet (what an observer sees before `runFinished`). `green`: every
        /// effective check green, every action done. `yellow`: at worst a yellow check. `red`: a red
        /// check, a failed action (exit 1). `error`: a step could not run, the audit log could not be
        /// written or the run lock was lost (exit 4), or a configuration error (exit 2).
        case running, green, yellow, red, error
        /// Stopped at a gate that could not be passed now (exit 3).
        case awaitingApproval = "awaiting-approval"
        /// Interrupted (exit 130), or declined at the terminal (exit 3).
        case aborted
    }

    /// The run's id (``Executor/newRunID(date:)``), as in the audit log and JSON `run_id`.
    public var runID: String
    /// The runbook id.
    public var runbook: String
    /// The runbook's title.
    public var title: String
    /// The environment's name (`--env`).
    public var environment: String
    /// A dry run (checks for real, actions only shown); also true for `runbook plan`.
    public var dryRun: Bool
    /// Every step reached, in runbook order, skipped ones included; steps after the one that
    /// stopped the run are absent.
    public var steps: [StepReport]
    /// Wall-clock time the run began.
    public var startedAt: Date
    /// Milliseconds from the start of the run to its end; 0 until it ends.
    public var durationMs: Int
    /// Why the run stopped early, when it did.
    public var message: String?
    /// How the run ended; nil while it runs.
    public var end: RunOutcome.End?

    /// `dry-run` or `live`, as the JSON report and the audit log write it.
    public var mode: String { dryRun ? "dry-run" : "live" }

    /// A report with no outcome yet (``end`` nil, status `running`).
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
