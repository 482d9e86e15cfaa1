import Foundation

/// A step that could not be prepared or run: its status is `error`, with this message.
public struct StepError: Error, Sendable, CustomStringConvertible {
    /// The step id.
    public var step: String
    /// What went wrong; may quote values, so it is redacted before it is shown.
    public var message: String
    /// Where in the runbook the problem is, when known.
    public var location: SourceLocation?
    /// `configuration` when the environment lacks what the step needs (exit 2).
    public var code: DriverError.Code?

    /// An error of step `step`.
    public init(step: String, _ message: String, location: SourceLocation? = nil, code: DriverError.Code? = nil) {
        self.step = step
        self.message = message
        self.location = location
        self.code = code
    }

    /// `path:line:col: step 'id': message` (without the location when there is none).
    public var description: String {
        (location.map { "\($0): " } ?? "") + "step '\(step)': \(message)"
    }
}
