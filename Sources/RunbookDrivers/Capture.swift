import Crypto
import Foundation
import RunbookCore
import Subprocess

/// One captured stream: the first `limit` bytes as text, the total size, and a SHA-256 of all.
struct Capture: Sendable {
    var text: String
    var truncated: Bool
    var total: Int
    var digest: String

    static func collect(_ sequence: SubprocessOutputSequence, limit: Int) async throws -> Capture {
        var kept: [UInt8] = []
        var total = 0
        var hasher = SHA256()
        for try await buffer in sequence {
            buffer.withUnsafeBytes { raw in
                let bytes = UnsafeRawBufferPointer(raw)
                hasher.update(bufferPointer: bytes)
                total += bytes.count
                if kept.count < limit { kept.append(contentsOf: bytes.prefix(limit - kept.count)) }
            }
        }
        let digest = Hex.encode(hasher.finalize())
        return Capture(text: String(decoding: kept, as: UTF8.self), truncated: total > limit, total: total, digest: digest)
    }
}
