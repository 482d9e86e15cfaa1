/// A four-eyes approval request, as the ledger keeps it (`runbook.approval_requests`): one
/// action of one run, bound to its plan digest, signed by the requester.
public struct ApprovalRequest: Sendable, Hashable {
    /// Where a request is in its life. `expired` is never stored: a pending or approved request
    /// past its `expires_at` is expired (``ApprovalTally``).
    public enum Status: String, Sendable, Hashable {
        case pending, approved, denied, expired, used, stale
    }

    /// The request id (`apr-` and 10 hex digits).
    public var id: String
    /// The run that asked.
    public var runID: String
    /// The runbook id.
    public var runbook: String
    /// The environment's name.
    public var environment: String
    /// The action's step id.
    public var action: String
    /// The action's risk.
    public var risk: Step.Risk
    /// Who asked: the principal the run's key proved.
    public var requester: String
    /// The plan digest (``ApprovalPlan/digest``).
    public var digest: String
    /// The plan (``ApprovalPlan/json``).
    public var plan: Value
    /// How many distinct approvals it needs.
    public var required: Int
    /// Where it is, as stored.
    public var status: Status
    /// When it was made and when it expires, in whole seconds since 1970 (UTC).
    public var createdAt: Int
    /// See ``createdAt``.
    public var expiresAt: Int
    /// The requester's signature of ``signedText``; empty when unsigned.
    public var signature: String

    /// A request from its parts.
    public init(id: String, runID: String, runbook: String, environment: String, action: String, risk: Step.Risk, requester: String,
                digest: String, plan: Value, required: Int, status: Status = .pending, createdAt: Int, expiresAt: Int, signature: String = "")
    {
        self.id = id
        self.runID = runID
        self.runbook = runbook
        self.environment = environment
        self.action = action
        self.risk = risk
        self.requester = requester
        self.digest = digest
        self.plan = plan
        self.required = required
        self.status = status
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.signature = signature
    }

    /// A new request id: `apr-` and 10 random hex digits.
    public static func newID() -> String {
        "apr-" + String((0..<10).map { _ in "0123456789abcdef".randomElement()! })
    }

    /// Whether `text` has the shape of a request id (what `approve`, `deny` and `--resume` accept).
    public static func isValidID(_ text: String) -> Bool {
        text.hasPrefix("apr-") && text.count == 14 && text.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// What the requester signs (`ssh-keygen -Y sign`, namespace `runbook`): every column that
    /// decides what may run, one `key: JSON string` per line.
    public var signedText: String {
        ApprovalRequest.lines("runbook approval request v1", [
            ("id", id), ("run", runID), ("runbook", runbook), ("environment", environment), ("action", action), ("risk", risk.rawValue),
            ("requester", requester), ("required", String(required)), ("digest", digest), ("created", String(createdAt)), ("expires", String(expiresAt)),
        ])
    }

    static func lines(_ title: String, _ fields: [(String, String)]) -> String {
        ([title] + fields.map { "\($0.0): \(JSON.encode(.string($0.1)))" }).joined(separator: "\n") + "\n"
    }
}

/// One approver's decision on a request (`runbook.approval_decisions`), signed by the approver
/// over the request's id and digest: an approval of one plan never passes another.
public struct ApprovalDecision: Sendable, Hashable {
    /// Yes or no.
    public enum Verdict: String, Sendable, Hashable { case approved, denied }

    /// Where the decision was made: `runbook approve` (signed by the approver's own key), or
    /// the web console (the approver signed on to it; signed by the console's key, ``signer``).
    public enum Via: String, Sendable, Hashable { case cli, console }

    /// The request decided on.
    public var requestID: String
    /// The principal who decided (proved by their key).
    public var approver: String
    /// Approved or denied.
    public var verdict: Verdict
    /// `--comment` or `--reason`; empty for none.
    public var comment: String
    /// When, in whole seconds since 1970 (UTC).
    public var decidedAt: Int
    /// The signature of ``signedText(digest:)`` by ``signingPrincipal``.
    public var signature: String
    /// Where it was decided.
    public var via: Via
    /// Who signed a console decision: the console's principal. Nil for the CLI (the approver).
    public var signer: String?

    /// A decision from its parts.
    public init(requestID: String, approver: String, verdict: Verdict, comment: String, decidedAt: Int, signature: String = "",
                via: Via = .cli, signer: String? = nil)
    {
        self.requestID = requestID
        self.approver = approver
        self.verdict = verdict
        self.comment = comment
        self.decidedAt = decidedAt
        self.signature = signature
        self.via = via
        self.signer = signer
    }

    /// The principal whose key signs the decision: the approver's own, or the console's.
    public var signingPrincipal: String { via == .console ? (signer ?? "") : approver }

    /// What the approver signs: the request id, the plan digest they saw, their verdict, name,
    /// time and comment; a console decision adds `via: "console"` and the console's principal,
    /// so a console signature can never pass for the approver's own.
    public func signedText(digest: String) -> String {
        var fields = [
            ("request", requestID), ("digest", digest), ("decision", verdict.rawValue), ("approver", approver),
            ("decided", String(decidedAt)), ("comment", comment),
        ]
        if via == .console { fields += [("via", via.rawValue), ("signer", signer ?? "")] }
        return ApprovalRequest.lines("runbook approval decision v1", fields)
    }

    /// The decision as the audit log records it (in `gate.decision`'s `approval`).
    public var auditValue: Value {
        var fields: [(String, Value)] = [("approver", .string(approver)), ("decision", .string(verdict.rawValue)), ("comment", .string(comment)),
                                         ("decided_at", .int(decidedAt)), ("signature", .string(signature))]
        if via == .console { fields += [("via", .string(via.rawValue)), ("signer", .string(signer ?? ""))] }
        return .object(fields)
    }
}
