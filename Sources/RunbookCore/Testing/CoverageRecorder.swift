import Synchronization

/// Hears every condition of a runbook's runs (``ExpressionProbe``) and keeps, for each step and
/// key, whether some run made it true and whether some run made it false.
public final class CoverageRecorder: ExpressionProbe {
    /// Which ways a condition went.
    public struct Seen: Sendable, Hashable {
        /// Some run made it true.
        public var heldTrue = false
        /// Some run made it false.
        public var heldFalse = false
    }

    private let seen = Mutex([String: Seen]())

    /// A recorder that has seen nothing.
    public init() {}

    public func evaluated(step: String, key: String, held: Bool) {
        seen.withLock { all in
            if held { all["\(step)/\(key)", default: Seen()].heldTrue = true } else { all["\(step)/\(key)", default: Seen()].heldFalse = true }
        }
    }

    /// What was seen of `key` of step `step`.
    public func seen(step: String, key: String) -> Seen { seen.withLock { $0["\(step)/\(key)"] ?? Seen() } }
}
