import Synchronization

/// A one-way flag: set once the schema is migrated; background services wait for it.
final class Readiness: Sendable {
    private let ready = Mutex(false)

    func markReady() {
        ready.withLock { $0 = true }
    }

    var isReady: Bool { ready.withLock { $0 } }

    /// Waits until ready, polling every 50 ms; returns false if shutdown came first.
    func wait() async -> Bool {
        while !isReady {
            if Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }
}
