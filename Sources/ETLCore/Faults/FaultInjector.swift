import Synchronization

/// The current ``FaultSettings`` of this process, shared by the API and the worker.
///
/// Faults live in memory only: restarting `etl-core` clears them, which is exactly what the
/// runbook's "restart the service" remediation relies on.
public final class FaultInjector: Sendable {
    private let state: Mutex<FaultSettings>

    /// Creates an injector with `initial` settings (default: no fault).
    public init(_ initial: FaultSettings = .none) {
        self.state = Mutex(initial)
    }

    /// The settings now in force.
    public var current: FaultSettings {
        state.withLock { $0 }
    }

    /// Replaces the settings.
    public func set(_ settings: FaultSettings) {
        state.withLock { $0 = settings }
    }

    /// Applies a patch atomically; returns the new settings or why the patch was refused.
    public func apply(_ patch: FaultPatch) -> Result<FaultSettings, ETLError> {
        state.withLock { settings in
            let result = patch.applied(to: settings)
            if case .success(let updated) = result { settings = updated }
            return result
        }
    }

    /// Turns every fault off.
    public func clear() {
        set(.none)
    }
}
