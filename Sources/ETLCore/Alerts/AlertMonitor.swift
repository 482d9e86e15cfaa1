import Logging
import ServiceLifecycle

/// Evaluates ``AlertRule``s periodically: a rule that starts firing inserts a row in
/// `etl_alert_history` and writes an `ALERT <name>` line; a rule that stops firing resolves
/// its open alert.
public struct AlertMonitor: Service {
    let store: ETLStore
    let events: EventLog
    let faults: FaultInjector
    let rules: [AlertRule]
    let interval: Duration
    let logger: Logger

    /// Creates a monitor.
    public init(store: ETLStore, events: EventLog, faults: FaultInjector, rules: [AlertRule] = AlertRule.standard,
                interval: Duration, logger: Logger) {
        self.store = store
        self.events = events
        self.faults = faults
        self.rules = rules
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        // Nothing here needs finishing: on graceful shutdown the loop is simply cancelled.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if !self.faults.current.stalled {
                    _ = try? await self.evaluate()
                }
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// Runs every rule once; returns the names of alerts raised by this call.
    @discardableResult
    public func evaluate() async throws -> [String] {
        var raised: [String] = []
        for rule in rules {
            var firing = false
            var message = ""
            for try await (isFiring, text) in try await store.client.query(rule.query, logger: logger).decode((Bool, String).self) {
                firing = isFiring
                message = text
            }
            let (name, severity) = (rule.name, rule.severity)
            if firing {
                let inserted = try await store.client.query(
                    """
                    INSERT INTO etl_alert_history (alert, severity, message)
                    SELECT \(name), \(severity), \(message)
                     WHERE NOT EXISTS (SELECT 1 FROM etl_alert_history WHERE alert = \(name) AND NOT resolved)
                    RETURNING id
                    """,
                    logger: logger
                ).firstInt()
                if inserted > 0 {
                    events.alert(name, severity: severity, message)
                    raised.append(name)
                }
            } else {
                let resolved = try await store.client.query(
                    """
                    WITH done AS (
                        UPDATE etl_alert_history SET resolved = true, resolved_at = now()
                         WHERE alert = \(name) AND NOT resolved RETURNING 1)
                    SELECT count(*)::int8 FROM done
                    """,
                    logger: logger
                ).firstInt()
                if resolved > 0 {
                    events.write(.info, "alerts", "\(name) resolved: \(message)")
                }
            }
        }
        return raised
    }
}
