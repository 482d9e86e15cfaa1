public import RunbookCore
import Synchronization

/// A redactor shared with a callback made before every secret is known (the ledger writer's
/// warnings): the run sets the whole redactor once its inputs are resolved.
public final class SharedRedactor: Sendable {
    private let redactor: Mutex<Redactor>

    public init(_ initial: Redactor) {
        redactor = Mutex(initial)
    }

    public func set(_ value: Redactor) {
        redactor.withLock { $0 = value }
    }

    public func redact(_ text: String) -> String {
        redactor.withLock { $0.redact(text) }
    }
}
