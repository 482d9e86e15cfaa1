/// The faults injected into a running `etl-core`, as the admin API reads and writes them.
///
/// JSON keys are snake_case: `{"connection_error_rate": 0.15, "slow_ms": 3000,
/// "worker_stopped": true, "stalled": true}`. All off is the healthy state.
public struct FaultSettings: Codable, Sendable, Equatable {
    /// Fraction (0...1) of processed files that fail with a connection error.
    public var connectionErrorRate: Double
    /// Extra milliseconds each file takes (spent in the database, so it shows in
    /// `pg_stat_statements`), each one logged as a `SLOW_QUERY` line.
    public var slowMilliseconds: Int
    /// The worker stops claiming files and stops its heartbeat.
    public var workerStopped: Bool
    /// Every API request but `/admin/faults` hangs until the fault is cleared (or the stall
    /// limit passes, then 503); the worker does nothing meanwhile.
    public var stalled: Bool

    /// No fault.
    public static let none = FaultSettings()

    /// Creates settings; every fault is off by default.
    public init(connectionErrorRate: Double = 0, slowMilliseconds: Int = 0, workerStopped: Bool = false, stalled: Bool = false) {
        self.connectionErrorRate = connectionErrorRate
        self.slowMilliseconds = slowMilliseconds
        self.workerStopped = workerStopped
        self.stalled = stalled
    }

    /// True when any fault is on.
    public var isActive: Bool { self != .none }

    /// True when the worker must claim nothing: stopped, or the whole service stalled.
    public var holdsWorker: Bool { workerStopped || stalled }

    enum CodingKeys: String, CodingKey {
        case connectionErrorRate = "connection_error_rate"
        case slowMilliseconds = "slow_ms"
        case workerStopped = "worker_stopped"
        case stalled
    }
}
