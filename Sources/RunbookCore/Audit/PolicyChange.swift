/// A runner start that pinned another policy than the start before it (`runbook.runner_policies`,
/// in order): when, which replica and principal, the digests, and which files changed. The
/// first policy pinned is listed too (it has no previous one). `audit verify --ledger` lists
/// them, so an auditor knows which policy was in force when.
public struct PolicyChange: Sendable, Hashable {
    /// One runner start, as the ledger recorded it.
    public struct Pin: Sendable, Hashable {
        /// When it started, by the ledger's clock (seconds since 1970).
        public var startedAt: Int
        /// The replica (`host:pid`).
        public var replica: String
        /// The runner's principal.
        public var principal: String
        /// The policy's digest.
        public var digest: String
        /// Each pinned file and its SHA-256.
        public var files: [String: String]

        /// A pin from its parts.
        public init(startedAt: Int, replica: String, principal: String, digest: String, files: [String: String]) {
            self.startedAt = startedAt
            self.replica = replica
            self.principal = principal
            self.digest = digest
            self.files = files
        }
    }

    /// The start that pinned the new policy.
    public var pin: Pin
    /// The digest before it; nil for the first policy pinned.
    public var previousDigest: String?
    /// Files whose content changed, added and removed, sorted.
    public var changed: [String]
    public var added: [String]
    public var removed: [String]

    /// The changes among `pins`, taken in order: restarts with the same digest are not changes.
    public static func changes(_ pins: [Pin]) -> [PolicyChange] {
        var out: [PolicyChange] = []
        var previous: Pin?
        for pin in pins {
            defer { previous = pin }
            guard let before = previous else {
                out.append(PolicyChange(pin: pin, previousDigest: nil, changed: [], added: [], removed: []))
                continue
            }
            guard before.digest != pin.digest else { continue }
            let changed = pin.files.filter { before.files[$0.key] != nil && before.files[$0.key] != $0.value }.map(\.key).sorted()
            let added = pin.files.keys.filter { before.files[$0] == nil }.sorted()
            let removed = before.files.keys.filter { pin.files[$0] == nil }.sorted()
            out.append(PolicyChange(pin: pin, previousDigest: before.digest, changed: changed, added: added, removed: removed))
        }
        return out
    }

    /// `policy: 2026-12-07 06:01:02 UTC: replica h:42 (runner@example.com) pinned sha256:…
    /// (was sha256:…): changed runbooks/fix.yaml`.
    public var text: String {
        var line = "policy: \(ApprovalRequest.time(pin.startedAt)): replica \(pin.replica) (\(pin.principal)) pinned \(pin.digest)"
        guard let previousDigest else { return line + " (the first policy pinned, \(pin.files.count) files)" }
        line += " (was \(previousDigest))"
        var parts: [String] = []
        if !changed.isEmpty { parts.append("changed " + changed.joined(separator: ", ")) }
        if !added.isEmpty { parts.append("added " + added.joined(separator: ", ")) }
        if !removed.isEmpty { parts.append("removed " + removed.joined(separator: ", ")) }
        return line + ": " + (parts.isEmpty ? "no file differs (the digest's form changed)" : parts.joined(separator: "; "))
    }
}
