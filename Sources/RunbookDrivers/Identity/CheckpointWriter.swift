public import Foundation
public import RunbookCore

/// Signs the head of an audit log's chain with an operator's key and keeps the checkpoint
/// next to the log (``CheckpointFile``): at the end of every run made with a key, and for
/// `runbook audit checkpoint`. The checkpoint is returned, so the ledger can store it too.
public struct CheckpointWriter: Sendable {
    /// The signing key (a private key file, or a public key whose private half ssh-agent holds).
    public var key: String
    /// Who signs: the principal proved by ``OperatorIdentity``, else the operator name.
    public var principal: String
    /// How signatures are made.
    public var keygen: SSHKeygen

    /// A writer signing as `principal` with `key`.
    public init(key: String, principal: String, keygen: SSHKeygen = SSHKeygen()) {
        self.key = key
        self.principal = principal
        self.keygen = keygen
    }

    /// Signs the current head of `log` (its last complete record), chained to the last
    /// checkpoint of `<log>.checkpoints`, and appends it there; returns it. The checkpoints
    /// file stays locked from reading the last checkpoint to writing this one, so concurrent
    /// runs keep one chain.
    public func write(log: AuditLog, runID: String?, now: Date = Date()) async throws -> Checkpoint {
        let file = CheckpointFile(auditLog: log.path)
        return try await file.append { last in
            let head = try log.head()
            let source = try AuditLog.firstRecordHash(path: log.path) ?? AuditLog.genesis
            return try await make(source: source, seq: head.seq, hash: head.hash, previous: last?.digest ?? Checkpoint.genesis,
                                  runID: runID, time: AuditLog.timestamp(now))
        }
    }

    /// A signed checkpoint of the given head, stored nowhere.
    public func make(source: String, seq: Int, hash: String, previous: String, runID: String?, time: String) async throws -> Checkpoint {
        let unsigned = Checkpoint(source: source, seq: seq, hash: hash, previous: previous, principal: principal, runID: runID, time: time)
        if let problem = unsigned.problem { throw CheckpointError("cannot make a checkpoint: \(problem)") }
        return try await unsigned.signed(key: key, keygen: keygen)
    }
}
