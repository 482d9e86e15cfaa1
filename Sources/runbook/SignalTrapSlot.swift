import Synchronization

/// Holds the signal trap of a run while it executes (set when the session starts the run,
/// cleared, restoring the default handlers, when teardown is over).
final class SignalTrapSlot: Sendable {
    private let trap = Mutex<SignalTrap?>(nil)

    /// Replaces the trap; the one replaced stops trapping.
    func set(_ new: SignalTrap?) {
        let old = trap.withLock { (slot: inout SignalTrap?) -> SignalTrap? in
            let old = slot
            slot = new
            return old
        }
        old?.cancel()
    }
}
