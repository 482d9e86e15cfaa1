/// A partial update of ``FaultSettings``, the body of `POST /admin/faults`: keys that are
/// absent keep their current value.
public struct FaultPatch: Codable, Sendable {
    /// New connection error rate, 0...1.
    public var connectionErrorRate: Double?
    /// New extra milliseconds per file, 0...600000.
    public var slowMilliseconds: Int?
    /// Stop or restart the worker.
    public var workerStopped: Bool?
    /// Stall or release the API.
    public var stalled: Bool?

    /// Creates a patch.
    public init(connectionErrorRate: Double? = nil, slowMilliseconds: Int? = nil, workerStopped: Bool? = nil, stalled: Bool? = nil) {
        self.connectionErrorRate = connectionErrorRate
        self.slowMilliseconds = slowMilliseconds
        self.workerStopped = workerStopped
        self.stalled = stalled
    }

    /// The settings after this patch, or a message saying which value is out of range.
    public func applied(to settings: FaultSettings) -> Result<FaultSettings, ETLError> {
        var result = settings
        if let rate = connectionErrorRate {
            guard rate.isFinite, (0...1).contains(rate) else {
                return .failure(ETLError(.configuration, "connection_error_rate must be between 0 and 1"))
            }
            result.connectionErrorRate = rate
        }
        if let slow = slowMilliseconds {
            guard (0...600_000).contains(slow) else {
                return .failure(ETLError(.configuration, "slow_ms must be between 0 and 600000"))
            }
            result.slowMilliseconds = slow
        }
        if let workerStopped { result.workerStopped = workerStopped }
        if let stalled { result.stalled = stalled }
        return .success(result)
    }

    enum CodingKeys: String, CodingKey {
        case connectionErrorRate = "connection_error_rate"
        case slowMilliseconds = "slow_ms"
        case workerStopped = "worker_stopped"
        case stalled
    }
}
