import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The checkpoints of one audit log, kept next to it (`<audit log>.checkpoints`, mode 0600):
/// one ``Checkpoint`` JSON line each, chained by ``Checkpoint/previous``. Appends take an
/// exclusive `flock`, so runs ending at the same time write whole lines and one chain; the
/// lock is held from reading the last checkpoint to writing the new one, so `previous` and
/// `seq` never go backwards.
public struct CheckpointFile: Sendable {
    /// The file.
    public var path: String

    /// The checkpoints file at `path`.
    public init(path: String) { self.path = path }

    /// The checkpoints file of the audit log at `auditLog`: `<auditLog>.checkpoints`.
    public init(auditLog: String) { self.path = auditLog + ".checkpoints" }

    /// One line of the file: a checkpoint, or why the line is not one.
    public struct Entry: Sendable {
        /// Its line number, from 1.
        public var line: Int
        /// The checkpoint; nil when the line is not one (see ``error``).
        public var checkpoint: Checkpoint?
        /// Why the line is not a checkpoint.
        public var error: String?
        /// Whether the line ends with a newline (a last line without one is a torn write).
        public var complete: Bool
    }

    /// Every line of the file, in order; empty when there is no file.
    public func read() throws(CheckpointError) -> [Entry] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError("cannot read the checkpoints file \(path)") }
        var entries: [Entry] = []
        var start = data.startIndex
        var number = 0
        while start < data.endIndex {
            let newline = data[start...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline ?? data.endIndex
            number += 1
            let text = String(decoding: data[start..<end], as: UTF8.self)
            do {
                entries.append(Entry(line: number, checkpoint: try Checkpoint.parse(json: text), error: nil, complete: newline != nil))
            } catch {
                entries.append(Entry(line: number, checkpoint: nil, error: error.message, complete: newline != nil))
            }
            start = newline.map { data.index(after: $0) } ?? data.endIndex
        }
        return entries
    }

    /// Appends the checkpoint `make` builds (and signs) from the file's last checkpoint (nil
    /// when there is none), holding the file's lock from the read to the write; returns it.
    /// Waits for another process's append at most `lockWait`.
    public func append(lockWait: Duration = .seconds(30), _ make: (Checkpoint?) async throws -> Checkpoint) async throws -> Checkpoint {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CheckpointError("cannot open the checkpoints file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let clock = ContinuousClock()
        let deadline = clock.now + lockWait
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw CheckpointError("cannot lock the checkpoints file \(path): \(String(cString: strerror(errno)))")
            }
            guard clock.now < deadline else { throw CheckpointError("the checkpoints file \(path) stayed locked by another run for \(DurationText.format(lockWait))") }
            try await Task.sleep(for: .milliseconds(20))
        }
        defer { flock(fd, LOCK_UN) }
        let (last, needsNewline) = try Self.tail(fd: fd, path: path)
        let checkpoint = try await make(last)
        if let problem = checkpoint.problem { throw CheckpointError("cannot store the checkpoint: \(problem)") }
        let bytes = Array(((needsNewline ? "\n" : "") + checkpoint.json + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CheckpointError("cannot write the checkpoints file \(path): \(String(cString: strerror(errno)))")
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw CheckpointError("cannot sync the checkpoints file \(path): \(String(cString: strerror(errno)))") }
        return checkpoint
    }

    /// The last line of the file that is a checkpoint, and whether the file ends mid-line.
    private static func tail(fd: Int32, path: String) throws(CheckpointError) -> (Checkpoint?, Bool) {
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0 else { return (nil, false) }
        var window = min(size, 65536)
        while true {
            var buffer = [UInt8](repeating: 0, count: window)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, window, off_t(size - window)) }
            guard n == window else { throw CheckpointError("cannot read the checkpoints file \(path)") }
            let needsNewline = buffer.last != UInt8(ascii: "\n")
            var end = needsNewline ? buffer.count : buffer.count - 1
            while true {
                let start = buffer[..<end].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }
                if start == nil, window < size { break }  // the window's first line may be cut: widen it
                let lineStart = start ?? 0
                if let checkpoint = try? Checkpoint.parse(json: String(decoding: buffer[lineStart..<end], as: UTF8.self)) {
                    return (checkpoint, needsNewline)
                }
                if lineStart == 0 { return (nil, needsNewline) }
                end = lineStart - 1
            }
            window = min(size, window * 4)
        }
    }
}
