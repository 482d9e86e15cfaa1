import Foundation
import RunbookCore

/// Signatures that `ssh-keygen -Y verify` has already accepted, so that a page showing 100
/// open requests does not start 100 processes at every view (the console keeps one). A
/// signature is known by the SHA-256 of what was verified: the message, the signature, the
/// principal, the namespace and the allowed_signers file's content (``ApprovalDesk`` reads it
/// once per desk, and records an acceptance only if the file still has that content after the
/// check), so editing the file (revoking a key) makes every signature checked again. Only
/// acceptances are kept: a signature that failed is checked, and reported, every time.
public actor SignatureMemo {
    private var accepted: Set<String> = []
    private let limit: Int

    /// A memo of at most `limit` acceptances (emptied when full).
    public init(limit: Int = 100_000) { self.limit = limit }

    /// The key of one verification; `allowedSigners` is the file's content.
    static func key(message: [UInt8], signature: String, principal: String, allowedSigners: Data, namespace: String) -> String {
        var all = Data()
        for part in [Data(message), Data(signature.utf8), Data(principal.utf8), Data(namespace.utf8), allowedSigners] {
            all.append(contentsOf: Array("\(part.count):".utf8))
            all.append(part)
        }
        return Hex.sha256(all)
    }

    /// Whether this verification was accepted before.
    public func knows(_ key: String) -> Bool { accepted.contains(key) }

    /// The content of the allowed_signers file at `path` (empty when it cannot be read).
    static func content(of path: String) -> Data {
        (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
    }

    /// Records an acceptance.
    public func accept(_ key: String) {
        if accepted.count >= limit { accepted.removeAll() }
        accepted.insert(key)
    }
}
