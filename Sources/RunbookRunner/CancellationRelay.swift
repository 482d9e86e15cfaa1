public import RunbookCore
import Synchronization

/// Cancels a task that may not exist yet: a cancel (a signal, a runner's client gone) that
/// arrives before `attach` cancels the task as soon as it is attached.
public final class CancellationRelay: Sendable {
    private struct State {
        var task: Task<RunReport, Never>?
        var cancelled = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Whether `cancel()` was called.
    public var isCancelled: Bool { state.withLock { $0.cancelled } }

    public func attach(_ task: Task<RunReport, Never>) {
        let cancelNow = state.withLock { (state: inout State) -> Bool in
            state.task = task
            return state.cancelled
        }
        if cancelNow { task.cancel() }
    }

    public func cancel() {
        let task = state.withLock { (state: inout State) -> Task<RunReport, Never>? in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
    }
}
