/// Where a step ended: a check's colour (or `error`), an action's or notify's fate, or
/// `skipped` for any step whose `when` was false. One type for every step, so no status is
/// ever compared as a string.
public enum StepStatus: Sendable, Hashable, CustomStringConvertible {
    /// A check ran (green, yellow, red) or could not run (error).
    case check(CheckStatus)
    /// An action or notify step: done, failed, only shown, refused or waiting for approval.
    case action(ActionStatus)
    /// `when` was false: nothing ran.
    case skipped

    public static let green = StepStatus.check(.green)
    public static let yellow = StepStatus.check(.yellow)
    public static let red = StepStatus.check(.red)
    public static let error = StepStatus.check(.error)
    public static let succeeded = StepStatus.action(.succeeded)
    public static let failed = StepStatus.action(.failed)
    public static let planned = StepStatus.action(.planned)
    public static let declined = StepStatus.action(.declined)
    public static let awaitingApproval = StepStatus.action(.awaitingApproval)

    /// The word the reports, the audit log and `steps.<id>.status` use.
    public var rawValue: String {
        switch self {
        case .check(let c): c.rawValue
        case .action(let a): a.rawValue
        case .skipped: "skipped"
        }
    }

    public init?(rawValue: String) {
        if rawValue == "skipped" {
            self = .skipped
        } else if let c = CheckStatus(rawValue: rawValue) {
            self = .check(c)
        } else if let a = ActionStatus(rawValue: rawValue) {
            self = .action(a)
        } else {
            return nil
        }
    }

    public var description: String { rawValue }

    /// The check's colour, when this is a check status.
    public var checkStatus: CheckStatus? {
        if case .check(let c) = self { return c }
        return nil
    }

    /// Red checks, failed actions and declined gates: the run did not get what it needed.
    public var isFailure: Bool { self == .red || self == .failed || self == .declined }

    /// Something was performed or evaluated for real (not skipped, shown or gated).
    public var ran: Bool {
        switch self {
        case .check: true
        case .action(let a): a == .succeeded || a == .failed
        case .skipped: false
        }
    }
}

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
