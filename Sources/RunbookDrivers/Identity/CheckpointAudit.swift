public import RunbookCore

/// `audit verify`'s checkpoint part: ``CheckpointVerifier`` (hashes, truncation, the chain of
/// checkpoints) plus each checkpoint's signature against an allowed_signers file.
public enum CheckpointAudit {
    /// Checks the checkpoints of the log at `auditLog`. With `allowedSigners` (a path), every
    /// signature is verified too, and one that does not verify is tampering, naming its seq and
    /// run; without it, signatures are not checked. Throws when ssh-keygen cannot be run.
    public static func verify(auditLog: String, allowedSigners: String?, keygen: SSHKeygen = SSHKeygen()) async throws -> CheckpointVerifier.Report {
        var report = try CheckpointVerifier.verify(auditLog: auditLog)
        guard let allowedSigners, !report.checkpoints.isEmpty else { return report }
        let checkpoints = report.checkpoints
        // A few ssh-keygen at a time: one process per checkpoint.
        let failures = try await withThrowingTaskGroup(of: CheckpointVerifier.Finding?.self) { group in
            var found: [CheckpointVerifier.Finding] = []
            var next = 0
            func add(_ group: inout ThrowingTaskGroup<CheckpointVerifier.Finding?, any Error>) {
                let (line, checkpoint, runID) = checkpoints[next]
                next += 1
                group.addTask {
                    do {
                        try await Checkpoint.verify(checkpoint, allowedSigners: allowedSigners, keygen: keygen)
                        return nil
                    } catch let error as IdentityError where error.code == .signatureInvalid {
                        return CheckpointVerifier.Finding(
                            line: line, seq: checkpoint.seq, runID: runID,
                            message: "the signature of \(checkpoint.principal) does not verify against \(allowedSigners) (\(error.message)): "
                                + "the checkpoint was forged or edited, or signed by a key not allowed for \(checkpoint.principal)")
                    }
                }
            }
            while next < min(4, checkpoints.count) { add(&group) }
            while let result = try await group.next() {
                if let result { found.append(result) }
                if next < checkpoints.count { add(&group) }
            }
            return found
        }
        report.problems = (report.problems + failures).sorted { $0.line < $1.line }
        return report
    }
}
