/// The fate of an action or notify step.
public enum ActionStatus: String, Sendable, Hashable, CaseIterable {
    /// Ran and succeeded by its driver's rule (exit 0, 2xx, statement committed).
    case succeeded
    /// Ran and failed, or could not run.
    case failed
    /// A dry run (or a plan): shown, never performed.
    case planned
    /// Refused at the terminal.
    case declined
    /// No way to pass its gate now: the run stopped before it.
    case awaitingApproval = "awaiting-approval"
}
