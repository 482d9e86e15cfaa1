/// Where a notification comes from: what payloads and email headers say about it besides the
/// message (the runbook, its title, the run, the environment, the step, the run's status so far).
public struct NotifyOrigin: Sendable, Hashable {
    /// The runbook id.
    public var runbook: String
    /// The runbook's title.
    public var title: String
    /// The run id.
    public var runID: String
    /// The environment's name.
    public var environment: String
    /// The notify step's id.
    public var step: String
    /// The run's colour when the step ran (`green`, `yellow`, `red`, `error`), empty when unknown.
    public var status: String

    /// An origin; every part defaults to empty.
    public init(runbook: String = "", title: String = "", runID: String = "", environment: String = "", step: String = "", status: String = "") {
        self.runbook = runbook
        self.title = title
        self.runID = runID
        self.environment = environment
        self.step = step
        self.status = status
    }
}
