public import RunbookCore

/// What `runbook serve` was given.
public struct ConsoleConfiguration: Sendable {
    /// The environment whose ledger the console reads (and whose policy approvals follow).
    public var environment: Environment
    /// Its `ledger.url`.
    public var ledgerURL: String
    /// Where to listen.
    public var host: String
    public var port: Int
    /// Addresses whose `X-Forwarded-User` is trusted (`--trust-proxy`).
    public var trustedProxies: [String]
    /// The users' hashed tokens (`--tokens`); nil: none (only the proxy signs users in).
    public var tokens: TokenFile?
    /// The environment's allowed_signers file and its principals; nil without `identity`.
    public var allowedSigners: String?
    public var principals: Set<String>
    /// The console's own SSH key (`--key`) and the principal it is in allowed_signers; nil:
    /// the console cannot record decisions.
    public var consoleKey: String?
    public var consolePrincipal: String?
    /// Connections to the ledger for requests (besides the one that listens).
    public var poolSize = 4
    /// Alertmanager's webhook (`--alerts-token-file`); nil: off.
    public var alertReceiver: AlertReceiverConfiguration?

    /// A configuration from its parts.
    public init(environment: Environment, ledgerURL: String, host: String, port: Int, trustedProxies: [String], tokens: TokenFile?,
                allowedSigners: String?, principals: Set<String>, consoleKey: String?, consolePrincipal: String?)
    {
        self.environment = environment
        self.ledgerURL = ledgerURL
        self.host = host
        self.port = port
        self.trustedProxies = trustedProxies
        self.tokens = tokens
        self.allowedSigners = allowedSigners
        self.principals = principals
        self.consoleKey = consoleKey
        self.consolePrincipal = consolePrincipal
    }

    /// The environment's approval policy (none: an empty one).
    var policy: ApprovalPolicy { environment.approvalPolicy ?? ApprovalPolicy() }
}
