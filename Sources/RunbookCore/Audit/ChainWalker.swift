import Crypto
import Foundation

/// The verifier's walk along the chain, fed one line at a time (without its newline). Keeps
/// only the last complete record's hash, seq and timestamp, so memory stays flat however long
/// the log. Pure: `AuditVerifier` does the reading.
struct ChainWalker {
    private var lines = 0
    private var records = 0
    private var runs = 0
    /// SHA-256 of the last complete record (genesis, all zeros, before the first).
    private var previousDigest = [UInt8](repeating: 0, count: 32)
    private var previousSeq = 0
    private var previousLine = 0
    private var previousTimestamp: [UInt8] = []
    /// Lines that are not records, since the last complete one: torn writes if the chain
    /// continues across them, tampering if it does not.
    private var pendingTorn: [Int] = []
    private var crashes: [AuditVerifier.Crash] = []
    private var problem: AuditVerifier.Problem?
    /// A seq out of place: the rest of the file is searched for the record expected there.
    private var misplaced: (line: Int, seq: Int, expected: Int)?
    private var expectedFoundAt: Int?

    mutating func feed(_ line: UnsafeBufferPointer<UInt8>) {
        lines += 1
        let n = lines
        if let m = misplaced {
            if expectedFoundAt == nil, let fields = AuditLine.scan(line), fields.seq == m.expected { expectedFoundAt = n }
            return
        }
        guard problem == nil else { return }
        guard let fields = AuditLine.scan(line), fields.isRecord, let seq = fields.seq, let prev = fields.prev else {
            pendingTorn.append(n)
            return
        }
        let chains = prev.count == 64 && Self.hex(line, at: prev.lowerBound, is: previousDigest)
        if chains, seq == previousSeq + 1 {
            let after = previousSeq == 0 ? nil : String(decoding: previousTimestamp, as: UTF8.self)
            for torn in pendingTorn { crashes.append(AuditVerifier.Crash(line: torn, afterTimestamp: after, afterSeq: previousSeq)) }
            pendingTorn.removeAll()
            records += 1
            if fields.startsRun { runs += 1 }
            for (i, byte) in SHA256.hash(data: UnsafeRawBufferPointer(line)).enumerated() { previousDigest[i] = byte }
            previousSeq = seq
            previousLine = n
            previousTimestamp.removeAll(keepingCapacity: true)
            if let ts = fields.ts { previousTimestamp.append(contentsOf: UnsafeBufferPointer(rebasing: line[ts])) }
            return
        }
        if let torn = pendingTorn.first {
            problem = .init(line: torn, message: "not a JSON record, and the chain does not continue across it: the line was edited or corrupted")
        } else if chains {
            problem = .init(line: n, message: "seq is \(seq), expected \(previousSeq + 1): the record was edited")
        } else if previousSeq == 0 {
            problem = .init(line: n, message: "the first line does not start the chain: earlier lines were removed")
        } else if seq == previousSeq + 1 {
            problem = .init(line: previousLine, message: "line \(previousLine) was edited (its hash no longer matches what line \(n) recorded)")
        } else {
            misplaced = (n, seq, previousSeq + 1)
        }
    }

    /// The report, once every line was fed. A torn last line (the write a crash cut short,
    /// which the next append steps over) is a crash.
    mutating func finish() -> AuditVerifier.Report {
        if let m = misplaced {
            if let later = expectedFoundAt {
                problem = .init(line: m.line, message: "records are out of order: the record expected here (seq \(m.expected)) is on line \(later): lines were reordered")
            } else if m.seq > m.expected {
                problem = .init(line: m.line, message: "\(m.seq - m.expected) record(s) were removed before this line (seq jumps from \(m.expected - 1) to \(m.seq))")
            } else {
                problem = .init(line: m.line, message: "records are out of order (seq \(m.seq) after \(m.expected - 1)): lines were reordered")
            }
        }
        if problem == nil {
            let after = previousSeq == 0 ? nil : String(decoding: previousTimestamp, as: UTF8.self)
            for torn in pendingTorn { crashes.append(AuditVerifier.Crash(line: torn, afterTimestamp: after, afterSeq: previousSeq)) }
            pendingTorn.removeAll()
        }
        return AuditVerifier.Report(lines: lines, records: records, runs: runs, problem: problem, crashes: crashes)
    }

    /// Whether the 64 bytes of `line` at `start` are `digest` in lower-case hex (as written).
    static func hex(_ line: UnsafeBufferPointer<UInt8>, at start: Int, is digest: [UInt8]) -> Bool {
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        for i in 0..<32 {
            guard let high = nibble(line[start + 2 * i]), let low = nibble(line[start + 2 * i + 1]), high << 4 | low == digest[i] else { return false }
        }
        return true
    }
}
