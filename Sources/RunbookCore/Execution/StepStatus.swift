/// Where a step ended: a check's colour (or `error`), an action's or notify's fate, or
/// `skipped` for any step whose `when` was false. One type for every step, so no status is
/// ever compared as a string.
public enum StepStatus: Sendable, Hashable, CustomStringConvertible {
    /// A check ran (green, yellow, red) or could not run (error).
    case check(CheckStatus)
    /// An action or notify step: done, failed, only shown, refused or waiting for approval.
    /// In `runbook plan` every step, checks included, is `.action(.planned)`.
    case action(ActionStatus)
    /// `when` was false: nothing ran.
    case skipped

    /// `.check(.green)`: the check found nothing wrong.
    public static let green = StepStatus.check(.green)
    /// `.check(.yellow)`: worth a look; the run still exits 0.
    public static let yellow = StepStatus.check(.yellow)
    /// `.check(.red)`: the check found a problem (exit 1 unless a `same-as` re-run supersedes it).
    public static let red = StepStatus.check(.red)
    /// `.check(.error)`: the check could not run or be evaluated (exit 4, or 2 for configuration).
    public static let error = StepStatus.check(.error)
    /// `.action(.succeeded)`.
    public static let succeeded = StepStatus.action(.succeeded)
    /// `.action(.failed)`: the run stops after it unless `continue-on-failure`.
    public static let failed = StepStatus.action(.failed)
    /// `.action(.planned)`: shown, not performed (dry run; every step in `runbook plan`).
    public static let planned = StepStatus.action(.planned)
    /// `.action(.declined)`: refused at the terminal; the run stops (exit 3).
    public static let declined = StepStatus.action(.declined)
    /// `.action(.awaitingApproval)`: its gate could not be passed now; the run stops (exit 3).
    public static let awaitingApproval = StepStatus.action(.awaitingApproval)

    /// The word the reports, the audit log and `steps.<id>.status` use.
    public var rawValue: String {
        switch self {
        case .check(let c): c.rawValue
        case .action(let a): a.rawValue
        case .skipped: "skipped"
        }
    }

    /// Parses the word of ``rawValue`` (`green`, `awaiting-approval`, `skipped`...); nil for any
    /// other word.
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

    /// The same word as ``rawValue``.
    public var description: String { rawValue }

    /// The check's colour, when this is a check status.
    public var checkStatus: CheckStatus? {
        if case .check(let c) = self { return c }
        return nil
    }

    /// Red checks, failed actions and declined gates: the run did not get what it needed.
    public var isFailure: Bool { self == .red || self == .failed || self == .declined }

    /// Something was performed or evaluated for real (not skipped, shown or gated). Every
    /// check status counts, `error` included: the check was attempted.
    public var ran: Bool {
        switch self {
        case .check: true
        case .action(let a): a == .succeeded || a == .failed
        case .skipped: false
        }
    }
}
