import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams the lines of an audit log in 1 MiB chunks, without their newline: memory stays
/// flat however long the log (a line longer than the buffer grows it).
enum AuditLogReader {
    /// Calls `body` with each line of the file at `path`, in order, until it returns false;
    /// the last line may lack its newline.
    static func forEachLine(path: String, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) throws(AuditError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AuditError("cannot read the audit log \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let chunk = 1 << 20
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 1)
        defer { buffer.deallocate() }
        var filled = 0
        while true {
            if filled == buffer.count {  // one line longer than the buffer: grow it
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 1)
                bigger.copyMemory(from: UnsafeRawBufferPointer(buffer))
                buffer.deallocate()
                buffer = bigger
            }
            let n = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw AuditError("cannot read the audit log \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            let end = filled + n
            let bytes = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: end)
            var start = 0
            while start < end, let newline = memchr(bytes.baseAddress! + start, 0x0A, end - start) {
                let stop = UnsafeRawPointer(bytes.baseAddress!).distance(to: UnsafeRawPointer(newline))
                guard body(UnsafeBufferPointer(rebasing: bytes[start..<stop])) else { return }
                start = stop + 1
            }
            filled = end - start
            if start > 0, filled > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, filled) }
        }
        if filled > 0 {  // a last line without its newline
            _ = body(UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: filled))
        }
    }
}
