public import Foundation
public import RunbookCore

/// How a runner replica is set up (`runbook runner`): the environment it serves, from its own
/// home, with its own key and state.
public struct RunnerConfiguration: Sendable {
    /// The runner's home: its own copy of runbooks, environments, allowed_signers.
    public var home: URL
    /// The environment it serves (loaded from its home, with its process's credentials).
    public var environment: Environment
    /// The team ledger (`ledger.url` of the environment).
    public var ledgerURL: String
    /// The allowed_signers file of the environment: who may send requests, who approves.
    public var allowedSigners: String
    /// The runner's SSH key and its principal there: signs checkpoints and approval requests.
    public var key: String
    public var principal: String
    /// Where its audit logs go (one per run: `audit/<nonce>.jsonl`).
    public var stateDirectory: URL
    /// The address it listens on.
    public var host: String
    public var port: Int
    /// This replica's name (host and process), in the ledger beside each request it took.
    public var replica: String
    /// The policy pinned at start.
    public var policy: RunnerPolicy
    /// How often a heartbeat goes to a streaming client (a client gone is noticed within it).
    public var heartbeat: Duration = .seconds(1)

    public init(home: URL, environment: Environment, ledgerURL: String, allowedSigners: String, key: String, principal: String,
                stateDirectory: URL, host: String, port: Int, replica: String, policy: RunnerPolicy)
    {
        self.home = home
        self.environment = environment
        self.ledgerURL = ledgerURL
        self.allowedSigners = allowedSigners
        self.key = key
        self.principal = principal
        self.stateDirectory = stateDirectory
        self.host = host
        self.port = port
        self.replica = replica
        self.policy = policy
    }
}
