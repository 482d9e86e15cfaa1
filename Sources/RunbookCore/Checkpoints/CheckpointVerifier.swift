import Crypto
import Foundation

/// Checks an audit log against its checkpoints file (see ``CheckpointFile``), without
/// signatures (those need `ssh-keygen`; `CheckpointAudit` in RunbookDrivers adds them):
///
/// * each checkpoint's `seq` is still in the log with the hash it signed (else the record was
///   edited, or the log was cut and written again);
/// * the log still reaches the highest seq a checkpoint covers (else records were cut from
///   its end: truncation, which the hash chain alone cannot see);
/// * each checkpoint is of this log (`source`), and the checkpoints form one chain
///   (`previous`), with seqs that never go backwards.
///
/// A checkpoints line that is not a checkpoint is tampering, unless the chain continues
/// across it (a torn write from a crash: a warning), like a torn line of the log.
public enum CheckpointVerifier {
    /// One thing wrong, tied to a checkpoint.
    public struct Finding: Sendable, CustomStringConvertible {
        /// The line of the checkpoints file.
        public var line: Int
        /// The seq the checkpoint covers; nil for a line that is not a checkpoint.
        public var seq: Int?
        /// The run of the record at that seq when it is in the log, else the run the checkpoint names.
        public var runID: String?
        /// What is wrong.
        public var message: String

        /// A finding.
        public init(line: Int, seq: Int?, runID: String?, message: String) {
            self.line = line
            self.seq = seq
            self.runID = runID
            self.message = message
        }

        /// `checkpoint on line L (seq S, run R): message`.
        public var description: String {
            var about = [String]()
            if let seq { about.append("seq \(seq)") }
            if let runID { about.append("run \(runID)") }
            return "checkpoint on line \(line)" + (about.isEmpty ? "" : " (\(about.joined(separator: ", ")))") + ": \(message)"
        }
    }

    /// What the check found.
    public struct Report: Sendable {
        /// The checkpoints of the file, with their line numbers and the run of the record each
        /// covers (the checkpoint's own run when that record is not in the log).
        public var checkpoints: [(line: Int, checkpoint: Checkpoint, runID: String?)]
        /// Tampering.
        public var problems: [Finding]
        /// Not tampering, but worth a look: torn writes of the checkpoints file (a crash or a
        /// full disk), a checkpoint made at an earlier time than the one before it.
        public var warnings: [Finding]
        /// The seq of the log's last complete record (0 for an empty log).
        public var lastSeq: Int
        /// No tampering found.
        public var intact: Bool { problems.isEmpty }
    }

    /// What the log says about the seqs checkpoints cover: read once, in a streaming pass.
    struct LogFacts: Sendable {
        /// SHA-256 (hex) of the first record.
        var source: String?
        /// Seq of the last complete record (0 when none).
        var lastSeq = 0
        /// The first record of each wanted seq: its hash and run.
        var records: [Int: (hash: String, runID: String?)] = [:]
    }

    /// Reads the checkpoints of the log at `auditLog` and checks them against it.
    public static func verify(auditLog: String, checkpoints: CheckpointFile? = nil) throws -> Report {
        let file = checkpoints ?? CheckpointFile(auditLog: auditLog)
        let entries = try file.read()
        guard !entries.isEmpty else { return Report(checkpoints: [], problems: [], warnings: [], lastSeq: 0) }
        let facts = try collect(auditLog: auditLog, wanted: Set(entries.compactMap { $0.checkpoint?.seq }))
        return check(entries, against: facts)
    }

    /// The first record's hash, the last seq, and the hash and run of each `wanted` seq.
    static func collect(auditLog: String, wanted: Set<Int>) throws(AuditError) -> LogFacts {
        var facts = LogFacts()
        try AuditLogReader.forEachLine(path: auditLog) { line in
            guard let fields = AuditLine.scan(line), fields.isRecord, let seq = fields.seq else { return true }
            facts.lastSeq = seq
            let first = facts.source == nil
            let needed = wanted.contains(seq) && facts.records[seq] == nil
            guard first || needed else { return true }
            let hash = Hex.encode(SHA256.hash(data: UnsafeRawBufferPointer(line)))
            if first { facts.source = hash }
            if needed {
                let runID = (try? JSON.parse(bytes: Array(line)))?["run_id"]?.stringValue
                facts.records[seq] = (hash, runID)
            }
            return true
        }
        return facts
    }

    /// The checks, on what was read: pure.
    static func check(_ entries: [CheckpointFile.Entry], against log: LogFacts) -> Report {
        var problems: [Finding] = []
        var warnings: [Finding] = []
        var checkpoints: [(line: Int, checkpoint: Checkpoint, runID: String?)] = []
        var before: (line: Int, checkpoint: Checkpoint)?
        var pendingTorn: [CheckpointFile.Entry] = []
        for entry in entries {
            guard let checkpoint = entry.checkpoint else {
                pendingTorn.append(entry)
                continue
            }
            let runID = log.records[checkpoint.seq]?.runID ?? checkpoint.runID
            func finding(_ message: String) -> Finding { Finding(line: entry.line, seq: checkpoint.seq, runID: runID, message: message) }
            let expectedPrevious = before?.checkpoint.digest ?? Checkpoint.genesis
            if checkpoint.previous == expectedPrevious {
                for torn in pendingTorn { warnings.append(tornFinding(torn)) }
            } else {
                for torn in pendingTorn {
                    problems.append(Finding(line: torn.line, seq: nil, runID: nil,
                                            message: "not a checkpoint (\(torn.error ?? "unreadable")), and the checkpoint chain does not continue across it: the line was edited"))
                }
                if pendingTorn.isEmpty {
                    if let before {
                        problems.append(finding("the checkpoint chain is broken: this checkpoint follows one that hashes to \(short(checkpoint.previous)), "
                            + "but the checkpoint before it (line \(before.line), seq \(before.checkpoint.seq)) hashes to \(short(expectedPrevious)): "
                            + "a checkpoint was removed, edited or reordered"))
                    } else {
                        problems.append(finding("the checkpoint chain is broken: the first checkpoint follows another one (\(short(checkpoint.previous))): earlier checkpoints were removed"))
                    }
                }
            }
            pendingTorn.removeAll()
            if let before, checkpoint.time < before.checkpoint.time {
                warnings.append(finding("made at \(checkpoint.time), before the checkpoint on line \(before.line) (\(before.checkpoint.time)): "
                    + "a clock set back, or a back-dated checkpoint"))
            }
            if let before, checkpoint.seq < before.checkpoint.seq {
                problems.append(finding("covers seq \(checkpoint.seq), before seq \(before.checkpoint.seq) of the checkpoint on line \(before.line): checkpoints were reordered"))
            }
            if let source = log.source, checkpoint.source != source {
                problems.append(finding("signed by \(checkpoint.principal) for a log whose first record hashes to \(short(checkpoint.source)), "
                    + "but this log's first record hashes to \(short(source)): the log was replaced, or its first record edited"))
            } else if checkpoint.seq > log.lastSeq {
                problems.append(finding("the log ends at seq \(log.lastSeq) but the checkpoint signed by \(checkpoint.principal) at \(checkpoint.time) covers seq \(checkpoint.seq): "
                    + "records were cut from the end of the log (truncated)"))
            } else if let record = log.records[checkpoint.seq], record.hash != checkpoint.hash {
                problems.append(finding("the record of seq \(checkpoint.seq) is not the one the checkpoint signed by \(checkpoint.principal) at \(checkpoint.time) covers "
                    + "(it hashes to \(short(record.hash)), the checkpoint holds \(short(checkpoint.hash))): the record was edited, or the log was cut and written again"))
            } else if checkpoint.seq > 0, log.records[checkpoint.seq] == nil {
                problems.append(finding("the log has no record of seq \(checkpoint.seq), which the checkpoint signed by \(checkpoint.principal) covers: records were removed"))
            }
            checkpoints.append((entry.line, checkpoint, runID))
            before = (entry.line, checkpoint)
        }
        // Trailing lines that are not checkpoints: a torn last write (cut short, so without its
        // newline), or a line edited into something else.
        for torn in pendingTorn {
            if !torn.complete {
                warnings.append(tornFinding(torn))
            } else {
                problems.append(Finding(line: torn.line, seq: nil, runID: nil, message: "not a checkpoint (\(torn.error ?? "unreadable")): the line was edited"))
            }
        }
        return Report(checkpoints: checkpoints, problems: problems, warnings: warnings, lastSeq: log.lastSeq)
    }

    private static func tornFinding(_ entry: CheckpointFile.Entry) -> Finding {
        Finding(line: entry.line, seq: nil, runID: nil,
                message: "torn write, a checkpoint cut short by a crash or a full disk (\(entry.error ?? "unreadable")); not tampering: the chain continues across it")
    }

    /// The first 12 hex digits of a digest, enough to tell two apart in a message.
    static func short(_ digest: String) -> String { String(digest.prefix(12)) }
}
