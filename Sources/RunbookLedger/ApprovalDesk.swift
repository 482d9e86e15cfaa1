import Foundation
public import RunbookCore
public import RunbookDrivers

/// Reads approval requests from the ledger with every signature checked by `ssh-keygen -Y
/// verify` against the environment's allowed signers: what the run's gate, `approve`, `deny`,
/// `approvals` and `audit verify` all build on.
public struct ApprovalDesk: Sendable {
    /// The ledger.
    public let ledger: Ledger
    /// The allowed_signers file that names requesters and approvers.
    public let allowedSigners: String
    /// The environment's policy.
    public let policy: ApprovalPolicy
    /// How signatures are checked.
    public let keygen: SSHKeygen
    /// The runner's principal (`runner.principal` of the environment): a request it signed on
    /// behalf of the requester it verified is as good as one the requester signed.
    public let onBehalfSigner: String?
    /// Signatures accepted before (the console's); nil: every one is checked.
    public let memo: SignatureMemo?
    /// The allowed_signers file's content when the desk was made (with a ``memo`` only): part
    /// of every memo key, read once rather than at each of a page's verifications.
    private let signersContent: Data?
    /// That content's plain ed25519 keys, verified in process (``SSHSignatureVerifier``; with a
    /// ``memo`` only): the console's first view of 100 requests had started 100 `ssh-keygen`s.
    private let inProcess: SSHSignatureVerifier?

    /// A desk over `ledger`.
    public init(ledger: Ledger, allowedSigners: String, policy: ApprovalPolicy, keygen: SSHKeygen = SSHKeygen(), onBehalfSigner: String? = nil,
                memo: SignatureMemo? = nil)
    {
        self.ledger = ledger
        self.allowedSigners = allowedSigners
        self.policy = policy
        self.keygen = keygen
        self.onBehalfSigner = onBehalfSigner
        self.memo = memo
        let content = memo == nil ? nil : SignatureMemo.content(of: allowedSigners)
        self.signersContent = content
        self.inProcess = content.flatMap { try? AllowedSigners.parse(String(decoding: $0, as: UTF8.self), path: allowedSigners) }.map(SSHSignatureVerifier.init)
    }

    /// `ssh-keygen -Y verify` (in process for a plain ed25519 key, with a ``memo``), unless
    /// ``memo`` accepted the same verification before. An acceptance is recorded only if the
    /// allowed_signers file still has the content the key was made of (an edit during the check
    /// is not remembered under the old content).
    func verify(message: [UInt8], signature: String, principal: String) async throws(IdentityError) {
        let key = signersContent.map {
            SignatureMemo.key(message: message, signature: signature, principal: principal, allowedSigners: $0, namespace: SSHKeygen.namespace)
        }
        if let memo, let key, await memo.knows(key) { return }
        // The plain case in process, by the content the key is made of; anything else, and any
        // doubt (another principal of the same key too), by ssh-keygen, which also says why not.
        if inProcess?.principal(signing: signature, message: message, namespace: SSHKeygen.namespace) != .principal(principal) {
            try await keygen.verify(message: message, signature: signature, principal: principal, allowedSigners: allowedSigners)
        }
        if let memo, let key, SignatureMemo.content(of: allowedSigners) == signersContent { await memo.accept(key) }
    }

    /// A request with its decisions, each signature checked.
    public struct Loaded: Sendable {
        /// The request row.
        public var request: ApprovalRequest
        /// Whether the requester's signature of the row verifies.
        public var requesterVerified: Bool
        /// Why it does not (ssh-keygen's words); nil when it does.
        public var requesterProblem: String?
        /// The decisions, each with whether its signature verifies.
        public var decisions: [ApprovalTally.Checked]

        /// Where it stands at `now`.
        public func standing(policy: ApprovalPolicy, now: Int = ApprovalDesk.now()) -> ApprovalTally.Standing {
            ApprovalTally.standing(request, decisions, policy: policy, requesterVerified: requesterVerified, now: now)
        }
    }

    /// Seconds since 1970, now.
    public static func now() -> Int { Int(Date().timeIntervalSince1970) }

    /// Request `id` with its checked decisions; nil when the ledger has none.
    public func load(_ id: String) async throws(LedgerError) -> Loaded? {
        guard let request = try await ledger.request(id) else { return nil }
        return try await check(request)
    }

    /// Checks every signature of `request` and its decisions.
    public func check(_ request: ApprovalRequest) async throws(LedgerError) -> Loaded {
        let decisions = try await ledger.decisions(request.id)
        let used = request.status != .used ? try await ledger.approvalUse(request.id) != nil : false
        return await check(request, decisions: decisions, used: used)
    }

    /// ``check(_:)`` with the request's decisions and whether `approval_uses` has it already
    /// read (the console reads those of every open request in two queries).
    public func check(_ request: ApprovalRequest, decisions: [ApprovalDecision], used: Bool) async -> Loaded {
        var request = request
        // Used is what `approval_uses` says (one row per request, ever), whatever the status
        // column was set back to.
        if used { request.status = .used }
        var problem: String?
        do {
            try await verify(message: Array(request.signedText.utf8), signature: request.signature, principal: request.requester)
        } catch {
            problem = request.signature.isEmpty ? "the request is not signed" : error.message
            if let onBehalfSigner, !request.signature.isEmpty,
               (try? await keygen.verify(message: Array(request.signedText.utf8), signature: request.signature, principal: onBehalfSigner,
                                         allowedSigners: allowedSigners)) != nil
            {
                problem = nil
            }
        }
        var checked: [ApprovalTally.Checked] = []
        for d in decisions {
            let ok: Bool
            do {
                try await verify(message: Array(d.signedText(digest: request.digest).utf8), signature: d.signature, principal: d.signingPrincipal)
                ok = true
            } catch {
                ok = false
            }
            checked.append((d, ok))
        }
        return Loaded(request: request, requesterVerified: problem == nil, requesterProblem: problem, decisions: checked)
    }
}
