import Crypto
public import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The append-only, hash-chained JSON Lines audit log. Each record carries `prev`, the
/// SHA-256 of the line before it, so `AuditVerifier` finds any edited, removed or reordered
/// line. Appends take an exclusive `flock`, so concurrent runs interleave whole records and
/// keep one chain. A record that announces an action is synced to disk before the action.
/// A record torn by a crash or a full disk is stepped over by the next append (see
/// `chainHead()`), and reported by `AuditVerifier` as a crash, not as tampering.
public final class AuditLog: Sendable {
    public let path: String
    private let fd: Int32

    /// What this process knows of the file, held across each append, sync and head read.
    private struct State {
        var dirty = false
        /// The chain head this log last wrote, and the file's size just after: while the size
        /// is still that, no one else has appended, and the next record chains to it without
        /// re-reading the file. Another writer (a concurrent run) or a torn write changes the
        /// size, and the head is read back from the file.
        var lastWritten: (hash: String, seq: Int, size: Int)?
    }

    private let state = Mutex(State())

    public static let genesis = String(repeating: "0", count: 64)

    /// Opens (creating folders and file, mode 0600) for appending.
    public init(path: String) throws(AuditError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw AuditError("cannot create the audit log folder \(directory): \(error.localizedDescription)")
            }
        }
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditError("cannot open the audit log \(path): \(String(cString: strerror(errno)))") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Appends one record: `event` plus `fields`, chained to the last line of the file.
    /// `sync` forces it to disk before returning (used before every action). Returns the
    /// record as written: its seq, hash and line.
    @discardableResult
    public func append(event: String, runID: String, fields: [(String, Value)], sync: Bool) throws(AuditError) -> AuditTail.Record {
        try state.withLock { (state) throws(AuditError) -> AuditTail.Record in
            try append(event: event, runID: runID, fields: fields, sync: sync, state: &state)
        }
    }

    private func append(event: String, runID: String, fields: [(String, Value)], sync: Bool,
                        state: inout State) throws(AuditError) -> AuditTail.Record
    {
        guard flock(fd, LOCK_EX) == 0 else { throw AuditError("cannot lock the audit log \(path): \(String(cString: strerror(errno)))") }
        defer { flock(fd, LOCK_UN) }
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size >= 0 else { throw AuditError("cannot read the audit log \(path): \(String(cString: strerror(errno)))") }
        let (prevHash, prevSeq, needsNewline): (String, Int, Bool)
        if let last = state.lastWritten, last.size == size {
            (prevHash, prevSeq, needsNewline) = (last.hash, last.seq, false)
        } else {
            (prevHash, prevSeq, needsNewline) = try chainHead(size: size)
        }
        state.lastWritten = nil
        var record = ValueObject()
        record["seq"] = .int(prevSeq + 1)
        record["ts"] = .string(AuditLog.timestamp(Date()))
        record["event"] = .string(event)
        record["run_id"] = .string(runID)
        for (k, v) in fields { record[k] = v }
        record["prev"] = .string(prevHash)
        let line = JSON.encode(.object(record))
        // After a torn write the record starts on a fresh line; one write, so it stays whole.
        let bytes = Array(((needsNewline ? "\n" : "") + line + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AuditError("cannot write the audit log \(path): \(String(cString: strerror(errno)))")
            }
            written += n
        }
        // What this record chains from next time. The size is where the file ends now: with
        // O_APPEND and the flock held, the write landed at `size`.
        // Hashed as `chainHead` hashes a line it reads (raw bytes: one generic instantiation).
        let hash = bytes[(needsNewline ? 1 : 0)..<(bytes.count - 1)].withUnsafeBytes { AuditLog.lineHash($0) }
        state.lastWritten = (hash, prevSeq + 1, size + bytes.count)
        state.dirty = true
        if sync { try syncLocked(&state) }
        return AuditTail.Record(seq: prevSeq + 1, hash: hash, line: line)
    }

    /// Forces everything appended so far to disk.
    public func sync() throws(AuditError) {
        try state.withLock { (state) throws(AuditError) in try syncLocked(&state) }
    }

    private func syncLocked(_ state: inout State) throws(AuditError) {
        guard state.dirty else { return }
        guard fsync(fd) == 0 else { throw AuditError("cannot sync the audit log \(path): \(String(cString: strerror(errno)))") }
        state.dirty = false
    }

    /// The seq and hash of the last complete record, the chain head a ``Checkpoint`` signs
    /// (0 and genesis for an empty log). Read under the lock, so no append is half seen.
    public func head() throws(AuditError) -> (seq: Int, hash: String) {
        try state.withLock { (state) throws(AuditError) -> (seq: Int, hash: String) in try head(state) }
    }

    private func head(_ state: State) throws(AuditError) -> (seq: Int, hash: String) {
        guard flock(fd, LOCK_EX) == 0 else { throw AuditError("cannot lock the audit log \(path): \(String(cString: strerror(errno)))") }
        defer { flock(fd, LOCK_UN) }
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size >= 0 else { throw AuditError("cannot read the audit log \(path): \(String(cString: strerror(errno)))") }
        if let last = state.lastWritten, last.size == size { return (last.seq, last.hash) }
        let head = try chainHead(size: size)
        return (head.seq, head.hash)
    }

    /// Where the chain continues: the hash and seq of the file's last complete record (genesis
    /// and 0 when there is none), and whether the file ends mid-line. A crash or a full disk
    /// can leave a torn (partial) last record; it is stepped over, never chained to, and the
    /// next record starts on a line of its own, so `seq` continues and `audit verify` reports
    /// the torn line as a crash.
    private func chainHead(size: Int) throws(AuditError) -> (hash: String, seq: Int, needsNewline: Bool) {
        guard size > 0 else { return (AuditLog.genesis, 0, false) }
        var window = min(size, 65536)
        while true {
            var buffer = [UInt8](repeating: 0, count: window)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, window, off_t(size - window)) }
            guard n == window else { throw AuditError("cannot read the audit log \(path)") }
            let needsNewline = buffer.last != UInt8(ascii: "\n")
            var end = needsNewline ? buffer.count : buffer.count - 1
            // Lines from the last back; the first line of a window is whole only at the file's start.
            while true {
                let start = buffer[..<end].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }
                if start == nil, window < size { break }
                let lineStart = start ?? 0
                if let head = AuditLog.identity(of: buffer[lineStart..<end]) { return (head.hash, head.seq, needsNewline) }
                if lineStart == 0 { return (AuditLog.genesis, 0, needsNewline) }
                end = lineStart - 1
            }
            window = min(size, window * 4)
        }
    }

    /// The hash and seq of a complete record; nil for a line that is not one (a torn write).
    static func identity(of line: ArraySlice<UInt8>) -> (hash: String, seq: Int)? {
        line.withUnsafeBufferPointer { (bytes) -> (hash: String, seq: Int)? in
            guard let fields = AuditLine.scan(bytes), fields.isRecord, let seq = fields.seq else { return nil }
            return (lineHash(UnsafeRawBufferPointer(bytes)), seq)
        }
    }

    /// The SHA-256 (hex) of a record's line, without its newline: the next record's `prev`.
    static func lineHash(_ line: UnsafeRawBufferPointer) -> String {
        Hex.encode(SHA256.hash(data: line))
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes))
    }

    public static func sha256Hex(_ text: String) -> String { sha256Hex(Array(text.utf8)) }

    public static func timestamp(_ date: Date) -> String {
        UTCTime.iso8601(date)
    }

    /// The default place: `$RUNBOOK_AUDIT_LOG`, else `$XDG_STATE_HOME/runbook/audit.jsonl`,
    /// else `~/.local/state/runbook/audit.jsonl`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let p = environment["RUNBOOK_AUDIT_LOG"], !p.isEmpty { return p }
        if let s = environment["XDG_STATE_HOME"], !s.isEmpty { return s + "/runbook/audit.jsonl" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/state/runbook/audit.jsonl"
    }
}

/// The audit log could not be opened or written: no action may run.
public struct AuditError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
