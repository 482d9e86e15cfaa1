import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The append-only, hash-chained JSON Lines audit log. Each record carries `prev`, the
/// SHA-256 of the line before it, so `AuditVerifier` finds any edited, removed or reordered
/// line. Appends take an exclusive `flock`, so concurrent runs interleave whole records and
/// keep one chain. A record that announces an action is synced to disk before the action.
public final class AuditLog: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var dirty = false

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
    /// `sync` forces it to disk before returning (used before every action).
    @discardableResult
    public func append(event: String, runID: String, fields: [(String, Value)], sync: Bool) throws(AuditError) -> String {
        lock.lock()
        defer { lock.unlock() }
        guard flock(fd, LOCK_EX) == 0 else { throw AuditError("cannot lock the audit log \(path): \(String(cString: strerror(errno)))") }
        defer { flock(fd, LOCK_UN) }
        let (prevHash, prevSeq) = try lastRecord()
        var record = ValueObject()
        record["seq"] = .int(prevSeq + 1)
        record["ts"] = .string(AuditLog.timestamp(Date()))
        record["event"] = .string(event)
        record["run_id"] = .string(runID)
        for (k, v) in fields { record[k] = v }
        record["prev"] = .string(prevHash)
        let line = JSON.encode(.object(record))
        let bytes = Array((line + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AuditError("cannot write the audit log \(path): \(String(cString: strerror(errno)))")
            }
            written += n
        }
        dirty = true
        if sync { try syncLocked() }
        return line
    }

    /// Forces everything appended so far to disk.
    public func sync() throws(AuditError) {
        lock.lock()
        defer { lock.unlock() }
        try syncLocked()
    }

    private func syncLocked() throws(AuditError) {
        guard dirty else { return }
        guard fsync(fd) == 0 else { throw AuditError("cannot sync the audit log \(path): \(String(cString: strerror(errno)))") }
        dirty = false
    }

    /// The hash and seq of the file's last line (genesis for an empty file).
    private func lastRecord() throws(AuditError) -> (String, Int) {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return (AuditLog.genesis, 0) }
        var window = min(Int(size), 65536)
        while true {
            var buffer = [UInt8](repeating: 0, count: window)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, window, off_t(Int(size) - window)) }
            guard n == window else { throw AuditError("cannot read the audit log \(path)") }
            var end = buffer.count
            while end > 0, buffer[end - 1] == UInt8(ascii: "\n") { end -= 1 }
            if let start = buffer[..<end].lastIndex(of: UInt8(ascii: "\n")) {
                return AuditLog.identity(of: Array(buffer[(start + 1)..<end]))
            }
            if window == Int(size) { return AuditLog.identity(of: Array(buffer[..<end])) }
            window = min(Int(size), window * 4)
        }
    }

    static func identity(of line: [UInt8]) -> (String, Int) {
        let seq = (try? JSON.parse(bytes: line))?["seq"]?.number.map { Int($0) } ?? 0
        return (sha256Hex(line), seq)
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
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
