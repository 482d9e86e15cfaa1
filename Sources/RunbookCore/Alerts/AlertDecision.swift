public import Foundation

/// What one alert of a notification does, from what the ledger holds for its group key and
/// fingerprint. Pure (the ledger applies it under the alert's row lock, so two replicas or
/// Alertmanager's retries decide once).
public enum AlertDecision: Sendable, Equatable {
    /// Diagnose: a new alert, one firing again after it resolved, one whose inputs changed, or
    /// one whose last diagnosis is older than the interval.
    case diagnose(Reason)
    /// Record the resolution in the timeline and the channel.
    case resolve
    /// Nothing: a retry or a repeat of what was already done.
    case nothing

    public enum Reason: String, Sendable, Equatable {
        case new, refired = "firing again", inputsChanged = "inputs changed", stale = "repeat after the re-diagnosis interval"
    }

    /// What the ledger knows of the alert.
    public struct Stored: Sendable, Equatable {
        public var status: String
        public var inputsKey: String
        public var diagnosedAt: Date?

        public init(status: String, inputsKey: String, diagnosedAt: Date?) {
            self.status = status
            self.inputsKey = inputsKey
            self.diagnosedAt = diagnosedAt
        }
    }

    /// The decision for a notification saying `status` with `inputsKey`, at `now`.
    public static func decide(stored: Stored?, status: String, inputsKey: String, now: Date, rediagnoseAfter: TimeInterval) -> AlertDecision {
        guard let stored else { return status == "firing" ? .diagnose(.new) : .nothing }
        if status == "resolved" { return stored.status == "firing" ? .resolve : .nothing }
        if stored.status == "resolved" { return .diagnose(.refired) }
        if stored.inputsKey != inputsKey { return .diagnose(.inputsChanged) }
        if let at = stored.diagnosedAt, now.timeIntervalSince(at) >= rediagnoseAfter { return .diagnose(.stale) }
        return .nothing
    }
}
