/// A run refused or stopped before its report: what was wrong is already said on the run's
/// ``RunOutput``; `exitCode` is the contract's code (DESIGN.md, "CLI contract"): 2 invalid
/// runbook, input, usage or a refused identity or approval, 3 still awaiting approval, 4 what
/// the run needs cannot be reached (the audit log, the run lock, the ledger, ssh-keygen).
public struct RunSessionError: Error, Sendable, Equatable {
    public let exitCode: Int32

    public init(_ exitCode: Int32) {
        self.exitCode = exitCode
    }

    /// Invalid runbook, input, flag or file; a refused identity or approval.
    public static let invalid = RunSessionError(2)
    /// An approval still awaited.
    public static let awaiting = RunSessionError(3)
    /// Something the run needs cannot be reached now.
    public static let unreachable = RunSessionError(4)
}
