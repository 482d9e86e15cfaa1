import Foundation
import PostgresNIO
public import RunbookCore

/// Walks the ledger's chains, every source in seq order, streaming (flat memory), and
/// compares them with a local log when one is given:
///
/// * a row whose line no longer hashes to its `hash`, or whose `seq`, `prev` or `run_id`
///   columns disagree with its line: **rewritten**;
/// * a row whose `prev` is not the hash of the row before: **edited** (or inserted);
/// * a seq missing between two rows, or a chain that does not start at seq 1: **deleted**
///   (the writer never leaves holes: it sends a log's records in order from its first);
/// * a row that differs from the local log's record of the same seq: **differs** (the report
///   says which side's chain still verifies);
/// * a checkpoint whose seq the ledger does not hold, or holds with another hash;
/// * local records after the ledger's last: **pending**, not tampering;
/// * a local log that ends before the ledger's last record of it: **truncated**.
public struct LedgerVerifier {
    /// One finding that means tampering, named by source, seq and run.
    public struct Problem: Sendable, CustomStringConvertible {
        public var source: String
        public var seq: Int
        public var runID: String?
        public var message: String
        public var description: String {
            "source \(source.prefix(12)), seq \(seq)\(runID.map { " (run \($0))" } ?? ""): \(message)"
        }
    }

    /// What the walk found.
    public struct Report: Sendable {
        /// Rows read.
        public var records = 0
        /// Sources (local logs) in the ledger.
        public var sources = 0
        /// `run.started` rows.
        public var runs = 0
        /// Tampering, at most ``maxProblems``.
        public var problems: [Problem] = []
        /// Checkpoints whose seq and hash the ledger holds.
        public var checkpointsMatched = 0
        /// The ledger's checkpoints, for signature checks by the caller.
        public var checkpoints: [Checkpoint] = []
        /// The local log's source id, when a local log was compared.
        public var localSource: String?
        /// Local records compared with the ledger's.
        public var localCompared = 0
        /// Local records the ledger does not hold yet: (first seq, count).
        public var pending: (first: Int, count: Int)?
        /// The highest seq the ledger holds of each source.
        public var heads: [String: Int] = [:]
        public var intact: Bool { problems.isEmpty }
    }

    /// At most this many findings are listed.
    public static let maxProblems = 20

    let ledger: Ledger
    /// The local log to compare, and whether its own chain verified (to say which side of a
    /// difference was changed).
    let localPath: String?
    let localIntact: Bool

    /// A verifier of `ledger`, comparing `localPath` when given.
    public init(ledger: Ledger, localPath: String?, localIntact: Bool) {
        self.ledger = ledger
        self.localPath = localPath
        self.localIntact = localIntact
    }

    /// Walks every chain and checkpoint.
    public func verify() async throws(LedgerError) -> Report {
        var report = Report()
        var local: LocalCursor?
        if let localPath, let source = try? AuditTail.sourceID(path: localPath) {
            local = LocalCursor(path: localPath)
            report.localSource = source
        }
        let localSource = report.localSource
        try await ledger.run("reading the ledger's records") {
            let rows = try await ledger.connection.query(
                "SELECT source_id, seq, hash, run_id, line FROM runbook.records ORDER BY source_id, seq", logger: Ledger.logger)
            var source = ""
            var previousSeq = 0
            var previousHash = AuditLog.genesis
            var previousFlagged = false
            func problem(_ seq: Int, _ run: String?, _ message: String) {
                if report.problems.count < Self.maxProblems { report.problems.append(Problem(source: source, seq: seq, runID: run, message: message)) }
            }
            for try await (rowSource, seq, hash, runID, line) in rows.decode((String, Int, String, String, String).self) {
                if rowSource != source {
                    if !source.isEmpty { report.heads[source] = previousSeq }
                    source = rowSource
                    report.sources += 1
                    previousSeq = 0
                    previousHash = AuditLog.genesis
                    previousFlagged = false
                }
                report.records += 1
                let fields = AuditTail.facts(of: line)
                let actual = fields.hash
                var mine: AuditTail.Record?
                if rowSource == localSource, var cursor = local {
                    mine = try cursor.record(seq: seq)
                    local = cursor
                    if mine != nil { report.localCompared += 1 }
                }
                let differs = mine.map { $0.hash != actual } ?? false
                let localNote = differs ? (localIntact ? "; the local log's record differs and its chain verifies" : "; the local log's record differs too") : ""
                if seq != previousSeq + 1 {
                    let first = previousSeq + 1
                    problem(first, nil, seq - 1 == first ? "the ledger row of seq \(first) was deleted (the chain jumps from \(previousSeq) to \(seq))"
                        : "the ledger rows of seq \(first)–\(seq - 1) were deleted (the chain jumps from \(previousSeq) to \(seq))")
                }
                var flagged = false
                if actual != hash {
                    problem(seq, runID, "the ledger row was rewritten: its line no longer has the hash stored with it\(localNote)")
                    flagged = true
                } else if fields.seq != seq || fields.runID != runID {
                    problem(seq, runID, "the ledger row was rewritten: its seq or run_id column differs from its line")
                    flagged = true
                } else if seq == previousSeq + 1, let prev = fields.prev, prev != previousHash, !previousFlagged {
                    problem(previousSeq, nil, "the ledger row was edited: its hash is not the prev that seq \(seq) (run \(runID)) holds")
                    flagged = true
                } else if differs {
                    problem(seq, runID, "the ledger row differs from the local log's record\(localIntact ? ", whose chain verifies: the ledger was changed" : " (the local chain is broken too)")")
                    flagged = true
                }
                previousFlagged = flagged
                previousSeq = seq
                previousHash = actual
            }
            if !source.isEmpty { report.heads[source] = previousSeq }
        }
        if let localSource, let path = local?.path {
            let head = report.heads[localSource] ?? 0
            let read = try? AuditTail.lastSeq(path: path)
            let last = read ?? 0
            if last > head { report.pending = (head + 1, last - head) }
            // The ledger holds what the log wrote; a log that ends before the ledger's head
            // for it was cut (its last records removed), whatever its own chain says.
            if read != nil, head > last, report.problems.count < Self.maxProblems {
                report.problems.append(Problem(source: localSource, seq: last + 1, runID: nil,
                                               message: "the local log \(path) was truncated: it ends at seq \(last), the ledger holds its records up to seq \(head)"))
            }
        }
        report.runs = try await ledger.run("counting runs") {
            var n = 0
            for try await count in try await ledger.connection.query("SELECT count(*) FROM runbook.runs WHERE started_at IS NOT NULL", logger: Ledger.logger).decode(Int.self) { n = count }
            return n
        }
        try await checkCheckpoints(&report)
        return report
    }

    /// Every checkpoint's seq must be held by the ledger with the checkpoint's hash.
    private func checkCheckpoints(_ report: inout Report) async throws(LedgerError) {
        let checkpoints = try await ledger.checkpoints()
        report.checkpoints = checkpoints
        let held: [String: [Int: String]] = try await ledger.run("reading checkpointed records") {
            var held: [String: [Int: String]] = [:]
            let rows = try await ledger.connection.query("""
                SELECT c.source_id, c.seq, r.hash FROM runbook.checkpoints c
                  JOIN runbook.records r ON r.source_id = c.source_id AND r.seq = c.seq
                """, logger: Ledger.logger)
            for try await (source, seq, hash) in rows.decode((String, Int, String).self) { held[source, default: [:]][seq] = hash }
            return held
        }
        for c in checkpoints {
            guard let hash = held[c.source]?[c.seq] else {
                if report.problems.count < Self.maxProblems {
                    report.problems.append(Problem(source: c.source, seq: c.seq, runID: c.runID,
                                                   message: "a checkpoint signed by \(c.principal) covers seq \(c.seq), which the ledger no longer holds: records were deleted"))
                }
                continue
            }
            if hash != c.hash {
                if report.problems.count < Self.maxProblems {
                    report.problems.append(Problem(source: c.source, seq: c.seq, runID: c.runID,
                                                   message: "the record at seq \(c.seq) is not the one the checkpoint signed by \(c.principal) covers: it was changed"))
                }
                continue
            }
            report.checkpointsMatched += 1
        }
    }

    /// Reads a local log forward in batches, for the merge walk with the ledger.
    struct LocalCursor {
        let path: String
        var buffer: [AuditTail.Record] = []
        var index = 0
        var offset = 0
        var exhausted = false

        init(path: String) { self.path = path }

        /// The local record of `seq`, when the log holds it (seqs only grow).
        mutating func record(seq: Int) throws -> AuditTail.Record? {
            while true {
                while index < buffer.count, buffer[index].seq < seq { index += 1 }
                if index < buffer.count { return buffer[index].seq == seq ? buffer[index] : nil }
                if exhausted { return nil }
                let (records, next) = try AuditTail.read(path: path, from: offset, limit: 4096)
                if records.isEmpty { exhausted = true }
                buffer = records
                index = 0
                offset = next
            }
        }
    }
}
