import Foundation

/// Walks the chain of an audit log and names the first line that breaks it.
public enum AuditVerifier {
    public struct Report: Sendable {
        public var lines: Int
        public var runs: Int
        /// nil when intact.
        public var problem: Problem?
        public var intact: Bool { problem == nil }
    }

    public struct Problem: Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public static func verify(path: String) throws -> Report {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditError("cannot read the audit log \(path)")
        }
        return verify(bytes: Array(data))
    }

    public static func verify(bytes: [UInt8]) -> Report {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var previousHash = AuditLog.genesis
        var previousSeq = 0
        var runs = Set<String>()
        let allSeqs = lines.map { (try? JSON.parse(bytes: $0))?["seq"]?.number.map { Int($0) } ?? -1 }
        for (i, line) in lines.enumerated() {
            let n = i + 1
            guard let record = try? JSON.parse(bytes: line), case .object(let o) = record else {
                return Report(lines: lines.count, runs: runs.count, problem: Problem(line: n, message: "not a JSON record: the line was edited or corrupted"))
            }
            guard let prev = o["prev"]?.stringValue, let seq = o["seq"]?.number.map({ Int($0) }) else {
                return Report(lines: lines.count, runs: runs.count, problem: Problem(line: n, message: "record has no 'prev' or 'seq': it was edited or is not from this tool"))
            }
            if prev != previousHash {
                let message: String
                if n == 1 {
                    message = "the first line does not start the chain: earlier lines were removed"
                } else if seq == previousSeq + 1 {
                    message = "line \(n - 1) was edited (its hash no longer matches what line \(n) recorded)"
                } else if let later = allSeqs[(i + 1)...].firstIndex(of: previousSeq + 1) {
                    message = "records are out of order: the record expected here (seq \(previousSeq + 1)) is on line \(later + 1): lines were reordered"
                } else if seq > previousSeq + 1 {
                    message = "\(seq - previousSeq - 1) record(s) were removed before this line (seq jumps from \(previousSeq) to \(seq))"
                } else {
                    message = "records are out of order (seq \(seq) after \(previousSeq)): lines were reordered"
                }
                return Report(lines: lines.count, runs: runs.count, problem: Problem(line: seq == previousSeq + 1 && n > 1 ? n - 1 : n, message: message))
            }
            if seq != previousSeq + 1 {
                return Report(lines: lines.count, runs: runs.count, problem: Problem(line: n, message: "seq is \(seq), expected \(previousSeq + 1): the record was edited"))
            }
            if let run = o["run_id"]?.stringValue { runs.insert(run) }
            previousHash = AuditLog.sha256Hex(line)
            previousSeq = seq
        }
        return Report(lines: lines.count, runs: runs.count, problem: nil)
    }

    /// Every record, parsed (for `audit list` and `audit show`).
    public static func records(path: String) throws -> [ValueObject] {
        guard let data = FileManager.default.contents(atPath: path) else { throw AuditError("cannot read the audit log \(path)") }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { (try? JSON.parse(bytes: Array($0)))?.objectValue }
    }
}
