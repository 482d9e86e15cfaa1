public import Foundation

/// A command sent to the team's runner (`approve`, `deny`, `approvals`, `runs`, `incident
/// ...`), as its operator signs it: the command line after `runbook` (the runner parses it
/// with the same parser and runs the same code, with its own environment, credentials and
/// policy), the environment, a nonce, the time. Signed like a ``RunnerRequest`` (`ssh-keygen
/// -Y sign -n runbook-request`); `kind` keeps a run request from passing for a command and
/// back. `decision` carries an approver's signature of the decision text (`runbook approve`,
/// `deny`), which the runner checks against its own allowed_signers before it records it.
public struct RunnerCommandRequest: Sendable, Codable, Equatable {
    /// Always `command`.
    public var kind = "command"
    /// The command line after `runbook`, as typed (the runner sets `--env` and `--dir` itself
    /// and ignores `--key` and `--operator`: the principal is whoever signed).
    public var command: [String]
    /// The environment the operator named; the runner refuses another than its own.
    public var environment: String
    /// Unique per request (32 hex digits): the ledger takes a nonce once.
    public var nonce: String
    /// When it was made, in seconds since 1970.
    public var time: Int
    /// A decision signed by the approver (second step of `approve`/`deny`); nil otherwise.
    public var decision: Decision?
    /// The signed-in user a web console decides for ("via console"): taken only from the
    /// console principal the runner's policy names (`approvals.console`); nil otherwise.
    public var onBehalfOf: String?
    /// The format of this request.
    public var version = 1

    /// An approver's decision: when it was made and the approver's signature of its text.
    public struct Decision: Sendable, Codable, Equatable {
        public var decidedAt: Int
        public var signature: String

        public init(decidedAt: Int, signature: String) {
            self.decidedAt = decidedAt
            self.signature = signature
        }

        enum CodingKeys: String, CodingKey {
            case decidedAt = "decided_at"
            case signature
        }
    }

    enum CodingKeys: String, CodingKey {
        case kind, command, environment, nonce, time, decision, version
        case onBehalfOf = "on_behalf_of"
    }

    public init(command: [String], environment: String, decision: Decision? = nil, onBehalfOf: String? = nil,
                nonce: String = RunnerRequest.newNonce(), time: Int = Int(Date().timeIntervalSince1970))
    {
        self.command = command
        self.environment = environment
        self.decision = decision
        self.onBehalfOf = onBehalfOf
        self.nonce = nonce
        self.time = time
    }

    /// The bytes signed: JSON with sorted keys and no whitespace.
    public var canonical: String { RunnerRequest.canonicalJSON(self) }

    /// Decodes the signed bytes; nil when they are not a command request of this version, or
    /// a nonce of another shape.
    public static func decode(_ text: String) -> RunnerCommandRequest? {
        guard let request = try? JSONDecoder().decode(RunnerCommandRequest.self, from: Data(text.utf8)), request.version == 1,
              request.kind == "command", !request.command.isEmpty, RunnerRequest.isNonce(request.nonce)
        else { return nil }
        return request
    }
}
