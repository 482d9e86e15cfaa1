import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Walks the chain of an audit log and names the first line that breaks it.
///
/// The file is streamed (read in chunks, each line hashed and scanned once, nothing kept but
/// the last record's hash), so a log of a million records is verified in seconds with flat
/// memory. Two kinds of finding are told apart:
///
/// * **Tampering** (`problem`): a record edited, removed or reordered; a line that is not a
///   record where the chain does not continue across it.
/// * **Crashes** (`crashes`): a torn write, a record cut short by a crash or a full disk
///   (a line that is not a complete JSON record), after which the next record chains from the
///   last complete one, as `AuditLog.append` writes it. Also a torn last line. Not tampering:
///   the chain is intact, one record was lost, and the report says where and after what.
public enum AuditVerifier {
    public struct Report: Sendable {
        /// Lines in the file (records and torn lines).
        public var lines: Int
        /// Complete records in the chain.
        public var records: Int
        /// Runs started (`run.started` records).
        public var runs: Int
        /// The first sign of tampering; nil when there is none.
        public var problem: Problem?
        /// Torn writes (crashes or full disks), in file order.
        public var crashes: [Crash]
        /// No tampering (crashes allowed).
        public var intact: Bool { problem == nil }
    }

    public struct Problem: Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// A torn write: a line that is not a complete record, which the chain steps over.
    public struct Crash: Sendable, CustomStringConvertible {
        public var line: Int
        /// `ts` and `seq` of the last complete record before it; nil at the start of the file.
        public var afterTimestamp: String?
        public var afterSeq: Int

        public var description: String {
            let after = afterSeq == 0 ? "before the first record" : "after the record of \(afterTimestamp ?? "?") (seq \(afterSeq))"
            return "line \(line): torn write, a record cut short by a crash or a full disk, \(after); "
                + "not tampering: the chain continues from that record"
        }
    }

    /// Verifies the file at `path`, reading it in chunks.
    public static func verify(path: String) throws -> Report {
        var walker = ChainWalker()
        try AuditLogReader.forEachLine(path: path) { line in
            walker.feed(line)
            return true
        }
        return walker.finish()
    }

    /// Verifies a log held in memory.
    public static func verify(bytes: [UInt8]) -> Report {
        var walker = ChainWalker()
        bytes.withUnsafeBufferPointer { all in
            var start = 0
            while start < all.count {
                let stop = all[start...].firstIndex(of: 0x0A) ?? all.count
                walker.feed(UnsafeBufferPointer(rebasing: all[start..<stop]))
                start = stop + 1
            }
        }
        return walker.finish()
    }

    /// Every record, parsed (for `audit list` and `audit show`); torn lines are skipped.
    public static func records(path: String) throws -> [ValueObject] {
        guard let data = FileManager.default.contents(atPath: path) else { throw AuditError("cannot read the audit log \(path)") }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { (try? JSON.parse(bytes: Array($0)))?.objectValue }
    }
}
