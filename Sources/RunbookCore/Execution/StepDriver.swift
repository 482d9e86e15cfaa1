import Foundation

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
private final class DeadlineRace<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?
    private var done = false
    private var deadlinePassed = false

    var isOpen: Bool { lock.withLock { !done } }

    /// Set once the deadline has passed: whatever the operation ends with is then a timeout.
    var timedOut: Bool {
        get { lock.withLock { deadlinePassed } }
        set { lock.withLock { deadlinePassed = newValue } }
    }

    func install(_ c: CheckedContinuation<T, any Error>) {
        let ready: Result<T, any Error>? = lock.withLock {
            if let early { return early }
            continuation = c
            return nil
        }
        if let ready { c.resume(with: ready) }
    }

    func finish(_ result: Result<T, any Error>) {
        let c: CheckedContinuation<T, any Error>? = lock.withLock {
            guard !done else { return nil }
            done = true
            guard let c = continuation else {
                early = result
                return nil
            }
            continuation = nil
            return c
        }
        c?.resume(with: result)
    }
}
