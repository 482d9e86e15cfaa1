import Foundation

/// Reads a runbook, check or environment file for parsing: UTF-8 and at most `sizeLimit`
/// bytes. The limit is checked before reading, so a huge file costs nothing: the team's
/// largest runbook is about 10 KiB, and a YAML parser given 20 MB takes a minute and a gigabyte.
public enum SourceFile {
    /// The largest runbook, check or environment file read: 1 MiB.
    public static let sizeLimit = 1 << 20

    /// The file's bytes and text, or a diagnostic at `path:1:1` saying why it cannot be read.
    public static func read(_ url: URL, path: String, limit: Int = sizeLimit) -> Result<(data: Data, text: String), Diagnostic> {
        let start = SourceLocation(path: path, line: 1, column: 1)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else {
            return .failure(Diagnostic(start, "cannot read file"))
        }
        if let size = (attributes[.size] as? NSNumber)?.intValue, size > limit {
            return .failure(Diagnostic(start, "file is larger than \(describe(limit)) (it is \(describe(size))); split it or remove what does not belong in it"))
        }
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return .failure(Diagnostic(start, "cannot read file")) }
        defer { try? handle.close() }
        // Read one byte past the limit: a file that grew since stat is still refused.
        guard let data = try? handle.read(upToCount: limit + 1) ?? Data() else { return .failure(Diagnostic(start, "cannot read file")) }
        if data.count > limit {
            return .failure(Diagnostic(start, "file is larger than \(describe(limit)); split it or remove what does not belong in it"))
        }
        guard let text = String(data: data, encoding: .utf8) else { return .failure(Diagnostic(start, "file is not UTF-8")) }
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
