/// Four-eyes approvals, per environment (`approvals:` in `environments/<name>.yaml`): how many
/// distinct second persons each risk needs, who may approve, and how long a request waits.
///
/// ```yaml
/// approvals: {high: 1, medium: 0, approvers: [ana@conectaboi.com.br, bruno@conectaboi.com.br], expires: 1h}
/// ```
///
/// An action may ask for more with its own `approvals: N` (never for fewer). An environment
/// without `approvals:` has no policy: gates work as before (`--yes`, `--approve`, the terminal).
public struct ApprovalPolicy: Sendable, Hashable {
    /// Approvals each risk needs; a missing risk needs none.
    public var required: [Step.Risk: Int]
    /// The principals (of the environment's allowed_signers) who may approve; empty: any allowed
    /// signer but the requester.
    public var approvers: [String]
    /// How long a request stays open (default 1 h).
    public var expires: Duration
    /// The principal (of the allowed_signers) whose key the web console signs with
    /// (`approvals: {console: runbook-console@...}`): approvals made in the console count only
    /// when it is set and the decision is signed by that key. Nil: console approvals do not count.
    public var console: String?

    /// The default life of a request.
    public static let defaultExpiry = Duration.seconds(3600)

    /// A policy from its parts.
    public init(required: [Step.Risk: Int] = [:], approvers: [String] = [], expires: Duration = ApprovalPolicy.defaultExpiry, console: String? = nil) {
        self.required = required
        self.approvers = approvers
        self.expires = expires
        self.console = console
    }

    /// How many distinct approvals `step` needs: its risk's number, or its own `approvals: N`
    /// when that is more. 0 for anything but an action.
    public func required(for step: Step) -> Int {
        guard step.kind == .action else { return 0 }
        return max(required[step.risk] ?? 0, step.approvals ?? 0)
    }

    /// The actions of `runbook` that need approvals, by id.
    public func requirements(of runbook: Runbook) -> [String: Int] {
        var out: [String: Int] = [:]
        for step in runbook.steps {
            let n = required(for: step)
            if n > 0 { out[step.id] = n }
        }
        return out
    }

    /// Whether `principal` may approve under this policy (the requester never may: see
    /// ``ApprovalTally``).
    public func allows(_ principal: String) -> Bool { approvers.isEmpty || approvers.contains(principal) }

    /// Whether `decision` may count: made at a terminal (signed by its approver), or in the
    /// console when this policy names the console and the console's key signed it.
    public func accepts(_ decision: ApprovalDecision) -> Bool {
        switch decision.via {
        case .cli: true
        case .console: console != nil && decision.signer == console
        }
    }
}
