import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the records of a local audit log from a byte offset on, as the ledger writer sends
/// them: complete records only (a torn line, or a last line still without its newline, is not
/// one), each with its seq and hash. Also finds where a log's records after a given seq start,
/// scanning back from the end, so catching up costs what is missing, not the whole file.
public enum AuditTail {
    /// One complete record of the local log.
    public struct Record: Sendable, Hashable {
        /// The record's `seq`.
        public var seq: Int
        /// SHA-256 (hex) of the line: what the next record's `prev` holds.
        public var hash: String
        /// The line as written, without its newline.
        public var line: String

        /// A record from its parts.
        public init(seq: Int, hash: String, line: String) {
            self.seq = seq
            self.hash = hash
            self.line = line
        }
    }

    /// The identity of a local log in the ledger: SHA-256 (hex) of its first complete record.
    /// Nil while the log holds none. Stable for the file's life; a new or rotated log is a new
    /// source.
    public static func sourceID(path: String) throws(AuditError) -> String? {
        let fd = try openLog(path)
        defer { close(fd) }
        var offset = 0
        var carry: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try readAt(fd, into: &chunk, offset: offset, path: path)
            if n == 0 { return nil }
            offset += n
            var start = 0
            while let newline = chunk[start..<n].firstIndex(of: 0x0A) {
                let line = carry + chunk[start..<newline]
                carry.removeAll()
                if let record = record(Array(line)) { return record.hash }
                start = newline + 1
            }
            carry += chunk[start..<n]
        }
    }

    /// The complete records from byte `offset` on (at most `limit`), and the offset just after
    /// the last line read. Lines that are not records (torn writes) are stepped over.
    public static func read(path: String, from offset: Int, limit: Int = .max) throws(AuditError) -> (records: [Record], next: Int) {
        let fd = try openLog(path)
        defer { close(fd) }
        var records: [Record] = []
        var position = offset
        var carry: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var readAt = offset
        while records.count < limit {
            let n = try Self.readAt(fd, into: &chunk, offset: readAt, path: path)
            if n == 0 { break }
            readAt += n
            var start = 0
            while records.count < limit, let newline = chunk[start..<n].firstIndex(of: 0x0A) {
                let line = carry.isEmpty ? Array(chunk[start..<newline]) : carry + chunk[start..<newline]
                position += line.count + 1
                carry.removeAll(keepingCapacity: true)
                if let record = record(line) { records.append(record) }
                start = newline + 1
            }
            if records.count >= limit { break }
            carry += chunk[start..<n]
        }
        return (records, position)
    }

    /// Where the records with a seq above `seq` start, and how many there are: scans back from
    /// the end of the log. Nil when more than `atMost` records follow `seq` (the caller sends
    /// them another way) or when the log holds no record of seq `seq` or below while `seq` > 0.
    public static func offset(after seq: Int, path: String, atMost: Int) throws(AuditError) -> (offset: Int, count: Int)? {
        let fd = try openLog(path)
        defer { close(fd) }
        let size = Int(lseek(fd, 0, SEEK_END))
        var end = size
        var found = 0
        var window = 65536
        var tailStart = size  // start of the earliest complete line seen so far
        while end > 0 {
            let start = max(0, end - window)
            var buffer = [UInt8](repeating: 0, count: end - start)
            let n = try readAt(fd, into: &buffer, offset: start, path: path)
            guard n == buffer.count else { throw AuditError("cannot read the audit log \(path)") }
            // Lines wholly inside [start, tailStart): from the last back.
            var lineEnd = tailStart - start
            if lineEnd == buffer.count, buffer.last != 0x0A {
                // the file's last line has no newline yet: not a record
                lineEnd = buffer.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            }
            var stop = lineEnd  // exclusive end of the current line, newline included
            while stop > 0 {
                let body = stop - 1  // the newline
                guard let previous = buffer[..<body].lastIndex(of: 0x0A) else {
                    if start == 0 {
                        if let r = record(Array(buffer[0..<body])) {
                            if r.seq <= seq { return (0 + stop, found) }
                            found += 1
                            if found > atMost { return nil }
                        }
                        return seq == 0 ? (0, found) : nil
                    }
                    break
                }
                if let r = record(Array(buffer[(previous + 1)..<body])) {
                    if r.seq <= seq { return (start + stop, found) }
                    found += 1
                    if found > atMost { return nil }
                }
                stop = previous + 1
            }
            tailStart = start + stop
            end = tailStart
            window *= 2
            if end == 0 { break }
        }
        return seq == 0 ? (0, found) : nil
    }

    /// The seq of the log's last complete record; 0 when it has none.
    public static func lastSeq(path: String) throws(AuditError) -> Int {
        let fd = try openLog(path)
        defer { close(fd) }
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0 else { return 0 }
        var window = min(size, 65536)
        while true {
            var buffer = [UInt8](repeating: 0, count: window)
            _ = try readAt(fd, into: &buffer, offset: size - window, path: path)
            var lines = buffer.split(separator: 0x0A, omittingEmptySubsequences: false)
            lines.removeLast()  // after the last newline: empty, or a line not yet complete
            if window < size, !lines.isEmpty { lines.removeFirst() }  // may start mid-line
            for line in lines.reversed() { if let r = record(Array(line)) { return r.seq } }
            if window == size { return 0 }
            window = min(size, window * 4)
        }
    }

    /// What the ledger's verifier checks of one stored line, in one pass over its bytes.
    public struct LineFacts: Sendable {
        /// SHA-256 (hex) of the line.
        public var hash: String
        /// Its `seq`; nil when the line is not a complete record.
        public var seq: Int?
        /// Its `prev`, as written.
        public var prev: String?
        /// Its `run_id`, as written (JSON escapes left as they are).
        public var runID: String?
    }

    /// The hash and chain fields of `line`.
    public static func facts(of line: String) -> LineFacts {
        var text = line
        return text.withUTF8 { bytes -> LineFacts in
            let hash = Hex.encode(SHA256.hash(data: UnsafeRawBufferPointer(bytes)))
            guard let fields = AuditLine.scan(bytes), fields.isRecord else { return LineFacts(hash: hash) }
            func string(_ range: Range<Int>?) -> String? {
                range.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
            }
            return LineFacts(hash: hash, seq: fields.seq, prev: string(fields.prev), runID: string(fields.runID))
        }
    }

    /// A complete record's seq and hash; nil for a line that is not one.
    static func record(_ line: [UInt8]) -> Record? {
        line.withUnsafeBufferPointer { bytes -> Record? in
            guard let fields = AuditLine.scan(bytes), fields.isRecord, let seq = fields.seq else { return nil }
            return Record(seq: seq, hash: Hex.encode(SHA256.hash(data: UnsafeRawBufferPointer(bytes))), line: String(decoding: bytes, as: UTF8.self))
        }
    }

    private static func openLog(_ path: String) throws(AuditError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AuditError("cannot read the audit log \(path): \(String(cString: strerror(errno)))") }
        return fd
    }

    private static func readAt(_ fd: Int32, into buffer: inout [UInt8], offset: Int, path: String) throws(AuditError) -> Int {
        var total = 0
        while total < buffer.count {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + total, $0.count - total, off_t(offset + total)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AuditError("cannot read the audit log \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            total += n
        }
        return total
    }
}
