import Foundation

/// Receives progress for live output.
public protocol RunObserver: Sendable {
    /// The run began, after its `run.started` record was written; `report` has no steps yet.
    /// Not called when that record could not be written.
    func runStarted(_ report: RunReport)
    /// A step is about to be performed (its first attempt), with its redacted rendered command;
    /// called again before each retry wait, with `command` saying what it waits for. Steps of a
    /// concurrent group call it from several tasks at once.
    func stepStarted(_ step: Step, command: String?)
    /// A step ended, however it ended (skipped and planned steps included).
    func stepFinished(_ step: StepReport)
    /// The run ended; `report` has its outcome, status and exit code.
    func runFinished(_ report: RunReport)
}
