import Foundation

/// Where an action that needs four-eyes approval gets it: the team's ledger (a request, the
/// approvers' signed decisions, the digest check on resume). The executor hands it the plan at
/// the gate and performs the verdict through the step's ``StepMachine``.
public protocol ApprovalGate: Sendable {
    /// The verdict on `plan`, asked for by `requester` in run `runID`: may create a request,
    /// check a resumed one, or wait for approvers (returning when decided, expired or interrupted).
    func decide(_ plan: ApprovalPlan, runID: String, requester: String) async -> ApprovalVerdict
}

/// What an ``ApprovalGate`` says about one action.
public enum ApprovalVerdict: Sendable, Hashable {
    /// Enough valid approvals of this very plan: run it.
    case approved(ApprovalGrant)
    /// A request waits for approvers (made now, or not yet approved): stop at the gate.
    case pending(requestID: String, message: String)
    /// The approved plan is not the plan now: stop, say what changed.
    case stale(requestID: String, approvedDigest: String, digest: String, diff: [String])
    /// Denied, expired, used, edited or forged: nothing runs.
    case refused(requestID: String?, message: String)
    /// The ledger cannot be reached or written: nothing runs.
    case unavailable(String)
}

/// The approvals an action ran with, as the audit log records them.
public struct ApprovalGrant: Sendable, Hashable {
    /// The request.
    public var requestID: String
    /// Who asked.
    public var requester: String
    /// The digest approved, equal to the digest of the plan run.
    public var digest: String
    /// How many were needed.
    public var required: Int
    /// The approvals counted, with their signatures.
    public var approvals: [ApprovalDecision]
    /// A scheduled run's gate passed by a standing approval (``StandingApproval``): the runbook's
    /// SHA-256 and each bounded value read, as `gate.decision` records them; nil for a request.
    public var standing: Value?

    /// A grant from its parts.
    public init(requestID: String, requester: String, digest: String, required: Int, approvals: [ApprovalDecision], standing: Value? = nil) {
        self.standing = standing
        self.requestID = requestID
        self.requester = requester
        self.digest = digest
        self.required = required
        self.approvals = approvals
    }

    /// `gate.decision`'s `approval` object.
    public var auditValue: Value {
        var fields: [(String, Value)] = [("request_id", .string(requestID)), ("requester", .string(requester)), ("digest", .string(digest)),
                                         ("required", .int(required)), ("approvals", .list(approvals.map(\.auditValue)))]
        if let standing { fields.append(("standing", standing)) }
        return .object(fields)
    }
}

extension ApprovalRequest {
    /// `2026-11-29 14:01:02 UTC` for a time in seconds since 1970.
    public static func time(_ seconds: Int) -> String { UTCTime.seconds(seconds) }
    /// `2026-11-29T14:01:02.000Z` for a time in seconds since 1970 (JSON).
    public static func isoTime(_ seconds: Int) -> String { UTCTime.iso8601(Date(timeIntervalSince1970: TimeInterval(seconds))) }
}
