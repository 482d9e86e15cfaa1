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
    public var stepID: String
    public var kind: Step.Kind
    public var timeout: Duration
    public var environment: Environment
    public var redactor: Redactor

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
    public var result: Value
    public var succeeded: Bool
    /// The Nagios status, for shell checks that opt into it.
    public var nagiosStatus: CheckStatus?
    /// A short human-readable excerpt of the output (already bounded by the driver).
    public var excerpt: String
    /// SHA-256 of the whole output, for the audit log.
    public var digest: String

    public init(result: Value, succeeded: Bool, nagiosStatus: CheckStatus? = nil, excerpt: String, digest: String) {
        self.result = result
        self.succeeded = succeeded
        self.nagiosStatus = nagiosStatus
        self.excerpt = excerpt
        self.digest = digest
    }
}

/// The drivers a run may use, by name (`shell`, `sql`, `http`, `notify`): an explicit registry,
/// not a global.
public struct DriverRegistry: Sendable {
    private var drivers: [String: any StepDriver]

    public init(_ drivers: [String: any StepDriver] = [:]) { self.drivers = drivers }

    public subscript(name: String) -> (any StepDriver)? {
        get { drivers[name] }
        set { drivers[name] = newValue }
    }
}

/// Where gates ask: a terminal (y/N or typing the action id).
public protocol GateTerminal: Sendable {
    /// Shows `prompt` and reads one line; nil at end of input.
    func ask(_ prompt: String) async -> String?
}

/// Receives progress for live output.
public protocol RunObserver: Sendable {
    func runStarted(_ report: RunReport)
    func stepStarted(_ step: Step, command: String?)
    func stepFinished(_ step: StepReport)
    func runFinished(_ report: RunReport)
}

/// Runs `operation` with a deadline; past it the operation's task is cancelled (drivers stop
/// their work, a child process with its group) and `TimeoutError` is thrown.
public func withDeadline<T: Sendable>(_ duration: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: duration)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        guard let value = first else { throw TimeoutError(duration: duration) }
        return value
    }
}

public struct TimeoutError: Error, Sendable, CustomStringConvertible {
    public var duration: Duration
    public var description: String { "timed out after \(DurationText.format(duration))" }
}
