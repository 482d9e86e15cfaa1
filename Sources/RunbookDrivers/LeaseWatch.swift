import Synchronization

/// Whether a pool lease was granted, shared by the task waiting for it and its watcher.
public final class LeaseWatch: Sendable {
    let leased = Atomic(false)

    /// Not leased yet.
    public init() {}

    /// Says the lease was granted.
    public func markLeased() { leased.store(true, ordering: .releasing) }

    /// Whether the lease was granted.
    public var isLeased: Bool { leased.load(ordering: .acquiring) }
}
