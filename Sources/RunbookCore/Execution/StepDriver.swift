import Foundation
import Synchronization

/// Performs rendered commands of one kind (shell, sql, http, notify). Drivers never decide
/// whether to run: the executor does (dry run, gates, `when`), so no driver can forget it.
public protocol StepDriver: Sendable {
    /// Performs the command. Throw for "could not run" (the step's status becomes `error`);
    /// return an output for anything that ran, even when it failed (non-zero exit, HTTP 500).
    /// Must stop promptly when its task is cancelled (timeout or Ctrl-C).
    func execute(_ command: RenderedCommand, context: DriverContext) async throws -> DriverOutput
}

/// Runs `operation` with a deadline. Past it, the operation's task is cancelled (drivers stop
/// their work, a child process with its group) and `TimeoutError` is thrown — after at most
/// `grace` more, even if the operation ignores its cancellation: it is then abandoned (left
/// to finish in the background) rather than waited for, so a step always ends by its
/// deadline. Cancelling the caller (Ctrl-C) cancels the operation the same way and throws
/// `CancellationError` within the same grace.
public func withDeadline<T: Sendable>(_ duration: Duration, grace: Duration = .seconds(2),
                                      _ operation: @escaping @Sendable () async throws -> T) async throws -> T
{
    let race = DeadlineRace<T>()
    let work = Task { try await operation() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.install(continuation)
            let deadline = Task {
                do { try await Task.sleep(for: duration) } catch { return }
                guard race.isOpen else { return }
                race.timedOut = true
                work.cancel()
                try? await Task.sleep(for: grace)
                race.finish(.failure(TimeoutError(duration: duration)))
            }
            Task {
                let result = await work.result
                if !race.timedOut { deadline.cancel() }
                race.finish(race.timedOut ? .failure(TimeoutError(duration: duration)) : result)
            }
        }
    } onCancel: {
        work.cancel()
        Task {
            try? await Task.sleep(for: grace)
            race.finish(.failure(CancellationError()))
        }
    }
}

/// The first of (operation finished, deadline passed, caller cancelled) resumes the waiter.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var done = false
        var deadlinePassed = false
    }

    private let state = Mutex(State())

    var isOpen: Bool { state.withLock { !$0.done } }

    /// Set once the deadline has passed: whatever the operation ends with is then a timeout.
    var timedOut: Bool {
        get { state.withLock { $0.deadlinePassed } }
        set { state.withLock { $0.deadlinePassed = newValue } }
    }

    func install(_ c: CheckedContinuation<T, any Error>) {
        let ready: Result<T, any Error>? = state.withLock { state in
            if let early = state.early { return early }
            state.continuation = c
            return nil
        }
        if let ready { c.resume(with: ready) }
    }

    func finish(_ result: Result<T, any Error>) {
        let c: CheckedContinuation<T, any Error>? = state.withLock { state in
            guard !state.done else { return nil }
            state.done = true
            guard let c = state.continuation else {
                state.early = result
                return nil
            }
            state.continuation = nil
            return c
        }
        c?.resume(with: result)
    }
}
