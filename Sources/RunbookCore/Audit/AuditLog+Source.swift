import Crypto

extension AuditLog {
    /// SHA-256 (hex) of the first complete record of the log at `path`, as written: the
    /// `source` of its checkpoints, naming which log they are of. Nil for a log with no record.
    public static func firstRecordHash(path: String) throws(AuditError) -> String? {
        var hash: String?
        try AuditLogReader.forEachLine(path: path) { line in
            guard let fields = AuditLine.scan(line), fields.isRecord else { return true }
            hash = Hex.encode(SHA256.hash(data: UnsafeRawBufferPointer(line)))
            return false
        }
        return hash
    }
}
