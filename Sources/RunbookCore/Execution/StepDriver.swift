import Foundation

/// Performs rendered commands of one kind (shell, sql, http, notify). Drivers never decide
/// whether to run: the executor does (dry run, gates, `when`), so no driver can forget it.
public protocol StepDriver: Sendable {
    /// Performs the command. Throw for "could not run" (the step's status becomes `error`);
    /// return an output for anything that ran, even when it failed (non-zero exit, HTTP 500).
    /// Must stop promptly when its task is cancelled (timeout or Ctrl-C).
    func execute(_ command: RenderedCommand, context: DriverContext) async throws -> DriverOutput
}

/// What a driver knows about the step it runs.
public struct DriverContext: Sendable {
    /// The id of the step being run, for messages (`step 'error-rate': ...`).
    public var stepID: String
    /// The step's kind; drivers enforce a check's limits with it (an HTTP check may only GET or
    /// HEAD).
    public var kind: Step.Kind
    /// The step's `timeout:`, else the default for its kind (check 60s, notify 30s, action 10m).
    /// The executor enforces it with ``withDeadline(_:grace:_:)``; drivers also use it for their
    /// own limits (the SQL `statement_timeout`, the HTTP request deadline).
    public var timeout: Duration
    /// The environment the run targets: where drivers connect (`database.url`, `api.url`, the
    /// token).
    public var environment: Environment
    /// The run's secrets: a driver redacts with it whatever it writes into an error message or
    /// a file of its own (the executor redacts results and excerpts itself).
    public var redactor: Redactor

    /// Built by the executor for every attempt of a step.
    public init(stepID: String, kind: Step.Kind, timeout: Duration, environment: Environment, redactor: Redactor) {
        self.stepID = stepID
        self.kind = kind
        self.timeout = timeout
        self.environment = environment
        self.redactor = redactor
    }
}

/// What a driver returns: the step's `result` value, whether it succeeded by the driver's
/// own rule (exit 0, 2xx or the expected status, statement committed), and a bounded excerpt.
public struct DriverOutput: Sendable {
    /// The step's `result` (`rows`, `exit_code`, `status`, `json`...), as the driver saw it:
    /// thresholds and `retry.until` read it unredacted; reports and the audit get it redacted.
    public var result: Value
    /// Success by the driver's own rule. It decides a check's colour only when the check has no
    /// thresholds and no Nagios status; `false` makes an action `failed`.
    public var succeeded: Bool
    /// The Nagios status, for shell checks that opt into it.
    public var nagiosStatus: CheckStatus?
    /// A short human-readable excerpt of the output (already bounded by the driver).
    public var excerpt: String
    /// SHA-256 of the whole output, for the audit log.
    public var digest: String

    /// An output; `excerpt` should already be bounded and `digest` a hex SHA-256 of the raw output.
    public init(result: Value, succeeded: Bool, nagiosStatus: CheckStatus? = nil, excerpt: String, digest: String) {
        self.result = result
        self.succeeded = succeeded
        self.nagiosStatus = nagiosStatus
        self.excerpt = excerpt
        self.digest = digest
    }
}

/// The drivers a run may use, by kind: an explicit registry, not a global.
public struct DriverRegistry: Sendable {
    private var drivers: [DriverKind: any StepDriver]

    /// A registry of `drivers`; empty by default (what `runbook plan` uses, since nothing runs).
    public init(_ drivers: [DriverKind: any StepDriver] = [:]) { self.drivers = drivers }

    /// The driver for `kind`; nil when this build has none (the step then fails with a
    /// `configuration` error, exit 2).
    public subscript(kind: DriverKind) -> (any StepDriver)? {
        get { drivers[kind] }
        set { drivers[kind] = newValue }
    }
}

/// The run lock as a lease: a live run checks it before every action, and once it is lost
/// no further action runs.
public protocol RunLease: Sendable {
    /// Throws, saying why, when the lock is no longer held.
    func verify() async throws
}

/// Where gates ask: a terminal (y/N or typing the action id).
public protocol GateTerminal: Sendable {
    /// Shows `prompt` and reads one line; nil at end of input.
    func ask(_ prompt: String) async -> String?
}

/// Receives progress for live output.
public protocol RunObserver: Sendable {
    /// The run began, after its `run.started` record was written; `report` has no steps yet.
    /// Not called when that record could not be written.
    func runStarted(_ report: RunReport)
    /// A step is about to be performed (its first attempt), with its redacted rendered command;
    /// called again before each retry wait, with `command` saying what it waits for. Steps of a
    /// concurrent group call it from several tasks at once.
    func stepStarted(_ step: Step, command: String?)
    /// A step ended, however it ended (skipped and planned steps included).
    func stepFinished(_ step: StepReport)
    /// The run ended; `report` has its outcome, status and exit code.
    func runFinished(_ report: RunReport)
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

/// Thrown by ``withDeadline(_:grace:_:)`` once the deadline has passed. The executor makes it
/// the step's `error` (check; or its `unreachable:` colour) or `failed` (action).
public struct TimeoutError: Error, Sendable, CustomStringConvertible {
    /// The deadline that passed.
    public var duration: Duration
    /// `timed out after 30s`.
    public var description: String { "timed out after \(DurationText.format(duration))" }
}
