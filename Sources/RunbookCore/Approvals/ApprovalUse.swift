/// An approved request about to be used by the action it approved: written to the ledger in
/// one transaction with the action's `step.started` record (``AuditSink/start(_:runID:using:)``),
/// so the ledger never holds a use without the action's start, nor an approved action's start
/// without its use; a second use of the request, from any process, is refused by that
/// transaction (`approval_uses` has one row per request, ever).
public struct ApprovalUse: Sendable, Hashable {
    /// The request.
    public var requestID: String
    /// The run's operator, the principal its key proved: the ledger uses an ordinary request
    /// only when this is its requester.
    public var requester: String
    /// The action it approved.
    public var step: String
    /// A standing approval (``StandingApproval``): used by many scheduled runs, once per run and
    /// action (`standing_uses`), by whoever runs the schedule.
    public var standing: Bool

    /// A use of `requestID` by `requester`'s run, for `step`.
    public init(requestID: String, requester: String, step: String, standing: Bool = false) {
        self.requestID = requestID
        self.requester = requester
        self.step = step
        self.standing = standing
    }

    /// Whether the use was recorded with the action's start.
    public enum Outcome: Sendable, Hashable {
        /// Recorded: the action runs.
        case used
        /// The request cannot be used (another run used it, not this requester's, expired by the
        /// ledger's clock): the action does not run (exit 2).
        case refused(String)
        /// The ledger could not record it: the action does not run (exit 4).
        case unavailable(String)
    }
}
