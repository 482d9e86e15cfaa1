/// How a run ended, and the one place that maps it to the run's colour and exit code
/// (the CLI contract in DESIGN.md).
public struct RunOutcome: Sendable, Hashable {
    /// Why the run stopped where it did.
    public enum End: Sendable, Hashable {
        /// Every step was reached (or skipped).
        case completed
        /// An action failed and nothing after it ran.
        case actionFailed(step: String)
        /// A gate could not be passed now (no terminal, no flag, no approval yet).
        case awaitingApproval(step: String)
        /// The operator said no at a gate.
        case declined(step: String)
        /// Ctrl-C, SIGTERM or SIGHUP.
        case interrupted
        /// The audit log could not be written, so nothing more could run.
        case auditFailed
        /// A four-eyes approval no longer matches the plan (a check, the command, a file or an
        /// input changed since approval): nothing ran.
        case approvalStale(step: String)
        /// A four-eyes approval was refused (denied, expired, used, edited or forged): nothing ran.
        case approvalRefused(step: String)
        /// The ledger that keeps approvals could not be used: nothing ran.
        case approvalUnavailable(step: String)
        /// The run lock was lost (its connection died, another run may hold it now): no
        /// further action ran.
        case lockLost(step: String)
    }

    /// Why the run stopped.
    public var end: End
    /// The run's colour.
    public var status: RunReport.Status
    /// The process exit code.
    public var exitCode: Int32

    /// Precedence, highest first: interrupted 130 · audit not written, run lock lost or approvals'
    /// ledger unusable 4 · an approval refused 2 · a configuration error 2 · stopped at a gate
    /// (awaiting approval, or an approval gone stale) 3 · a step could not run 4 · a red check or failed action 1
    /// · else 0. A notify step that failed counts as yellow (delivery never fails a run, but
    /// it shows). Superseded checks (a `same-as` re-run after a repair) do not count.
    public init(end: End, steps: [StepReport]) {
        self.end = end
        let counted = RunOutcome.effective(steps)
        // A notification that could not be delivered is a warning, not a failed repair.
        let statuses = counted.map { $0.kind == .notify && $0.status == .failed ? StepStatus.yellow : $0.status }
        let configurationError = counted.contains { $0.failureCode == .configuration }
        switch end {
        case .interrupted:
            (status, exitCode) = (.aborted, 130)
        case .auditFailed, .lockLost, .approvalUnavailable:
            (status, exitCode) = (.error, 4)
        case .approvalRefused:
            (status, exitCode) = (.aborted, 2)
        case _ where configurationError:
            (status, exitCode) = (.error, 2)
        case .declined:
            (status, exitCode) = (.aborted, 3)
        case .awaitingApproval, .approvalStale:
            (status, exitCode) = (.awaitingApproval, 3)
        case .completed, .actionFailed:
            if statuses.contains(.error) {
                (status, exitCode) = (.error, 4)
            } else if statuses.contains(where: \.isFailure) {
                (status, exitCode) = (.red, 1)
            } else if statuses.contains(.yellow) {
                (status, exitCode) = (.yellow, 0)
            } else {
                (status, exitCode) = (.green, 0)
            }
        }
    }

    /// The steps that decide the outcome: a check re-run later by a `same-as` step that ran
    /// (the verification after a repair) is superseded by it, so "red, repaired, verified
    /// green" ends green, while "red, repaired, still red" stays red.
    public static func effective(_ steps: [StepReport]) -> [StepReport] {
        var superseded = Set<String>()
        for step in steps where step.kind == .check && step.status != .skipped {
            if let earlier = step.supersedes { superseded.insert(earlier) }
        }
        return steps.filter { !superseded.contains($0.id) }
    }
}
