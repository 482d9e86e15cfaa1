public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a runbook, check or environment file for parsing: UTF-8 and at most `sizeLimit`
/// bytes. The limit is checked before reading, so a huge file costs nothing: the team's
/// largest runbook is about 10 KiB, and a YAML parser given 20 MB takes a minute and a gigabyte.
public enum SourceFile {
    /// The largest runbook, check or environment file read: 1 MiB.
    public static let sizeLimit = 1 << 20

    /// The file's bytes and text, or a diagnostic at `path:1:1` saying why it cannot be read.
    public static func read(_ url: URL, path: String, limit: Int = sizeLimit) -> Result<(data: Data, text: String), Diagnostic> {
        let start = SourceLocation(path: path, line: 1, column: 1)
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Diagnostic(start, "cannot read file")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return .failure(Diagnostic(start, "cannot read file")) }
        let size = Int(info.st_size)
        if size > limit {
            return .failure(Diagnostic(start, "file is larger than \(describe(limit)) (it is \(describe(size))); split it or remove what does not belong in it"))
        }
        // Read up to one byte past the limit: a file that grew since fstat is still refused.
        var data = Data(count: min(size, limit) + 1)
        var count = 0
        let failed: Bool = data.withUnsafeMutableBytes { buffer in
            while count < buffer.count {
                let n = pread(fd, buffer.baseAddress! + count, buffer.count - count, off_t(count))
                if n < 0, errno == EINTR { continue }
                if n < 0 { return true }
                if n == 0 { break }
                count += n
            }
            return false
        }
        if failed { return .failure(Diagnostic(start, "cannot read file")) }
        data.count = count
        if data.count > limit {
            return .failure(Diagnostic(start, "file is larger than \(describe(limit)); split it or remove what does not belong in it"))
        }
        guard let text = String(validating: data, as: UTF8.self) else { return .failure(Diagnostic(start, "file is not UTF-8")) }
        return .success((data, text))
    }

    /// `1 MiB`, `20.0 MiB`, `512 KiB`, `100 bytes`.
    static func describe(_ bytes: Int) -> String {
        if bytes >= 1 << 20 {
            return bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
        }
        if bytes >= 1 << 10 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
