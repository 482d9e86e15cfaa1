import Synchronization

/// Whether a pool lease was granted, shared by the task waiting for it and its watcher.
final class LeaseWatch: Sendable {
    let leased = Atomic(false)
}
