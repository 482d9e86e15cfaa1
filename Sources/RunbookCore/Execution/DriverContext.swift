import Foundation

/// What a driver knows about the step it runs.
public struct DriverContext: Sendable {
    /// The id of the step being run, for messages (`step 'error-rate': ...`).
    public var stepID: String
    /// The step's kind; drivers enforce a check's limits with it (an HTTP check may only GET or
    /// HEAD).
    public var kind: Step.Kind
    /// The step's `timeout:`, else the default for its kind (check 60s, notify 30s, action 10m).
    /// The executor enforces it with ``withDeadline(_:grace:_:)``; drivers also use it for their
    /// own limits (the SQL `statement_timeout`, the HTTP request deadline).
    public var timeout: Duration
    /// The environment the run targets: where drivers connect (`database.url`, `api.url`, the
    /// token).
    public var environment: Environment
    /// The run's secrets: a driver redacts with it whatever it writes into an error message or
    /// a file of its own (the executor redacts results and excerpts itself).
    public var redactor: Redactor

    /// Built by the executor for every attempt of a step.
    public init(stepID: String, kind: Step.Kind, timeout: Duration, environment: Environment, redactor: Redactor) {
        self.stepID = stepID
        self.kind = kind
        self.timeout = timeout
        self.environment = environment
        self.redactor = redactor
    }
}
