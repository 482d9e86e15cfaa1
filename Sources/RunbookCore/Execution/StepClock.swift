public import Foundation
import Synchronization

/// Where the executor reads a step's elapsed time and waits between retries. A real run uses
/// ``ContinuousStepClock``; `runbook test` uses ``VirtualStepClock``, so a check that retries
/// for two minutes is tested in microseconds, through the same machine.
public protocol StepClock: Sendable {
    /// Time since an origin fixed when the clock was made.
    func now() -> Duration
    /// Waits `duration` (throws when the task is cancelled).
    func sleep(for duration: Duration) async throws
}

/// The wall of the machine: `ContinuousClock` and `Task.sleep`.
public struct ContinuousStepClock: StepClock {
    private let origin = ContinuousClock.now

    /// A clock whose origin is now.
    public init() {}

    public func now() -> Duration { ContinuousClock.now - origin }

    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// A clock that moves only when someone sleeps on it: a sleep returns at once, having moved
/// the clock forward by its duration.
public final class VirtualStepClock: StepClock {
    private let elapsed = Mutex(Duration.zero)

    /// A clock at zero.
    public init() {}

    public func now() -> Duration { elapsed.withLock { $0 } }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        elapsed.withLock { $0 += duration }
    }
}
