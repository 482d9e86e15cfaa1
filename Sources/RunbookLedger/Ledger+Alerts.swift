public import Foundation
import PostgresNIO
public import RunbookCore

/// Alertmanager's notifications in the ledger (schema 6): which incident answers an alert
/// group, and what each alert of a group last did. Every decision is taken under a
/// transaction-scoped advisory lock on the group key and fingerprint, on this connection
/// alone: retries, repeats and concurrent replicas decide once.
extension Ledger {
    /// An alert group's row: its incident (nil while someone is opening it) and whether that
    /// incident is still open.
    public struct AlertGroup: Sendable {
        public var incidentID: String?
        public var incidentOpen: Bool
        /// Seconds since the group was last claimed.
        public var claimedSecondsAgo: Double
    }

    /// The group's row; nil when no notification of it was seen yet.
    public func alertGroup(_ groupKey: String) async throws(LedgerError) -> AlertGroup? {
        try await run("reading the alert group") {
            var found: AlertGroup?
            for try await (incident, open, age) in try await connection.query("""
                SELECT g.incident_id, coalesce(i.resolved_at IS NULL, false), extract(epoch FROM now() - g.claimed_at)::float8
                  FROM runbook.alert_groups g LEFT JOIN runbook.incidents i ON i.id = g.incident_id
                 WHERE g.group_key = \(groupKey)
                """, logger: Self.logger).decode((String?, Bool, Double).self) {
                found = AlertGroup(incidentID: incident, incidentOpen: open, claimedSecondsAgo: age)
            }
            return found
        }
    }

    /// Claims the right to open the group's incident: true for exactly one caller. `replacing`:
    /// the group's current incident (resolved, or a claim that never finished); nil for a
    /// group seen for the first time.
    public func claimAlertGroup(_ groupKey: String, environment: String, replacing current: String?, staleClaim: Bool = false) async throws(LedgerError) -> Bool {
        try await run("claiming the alert group") {
            let rows: PostgresRowSequence
            if staleClaim {
                rows = try await connection.query("""
                    UPDATE runbook.alert_groups SET claimed_at = now()
                     WHERE group_key = \(groupKey) AND incident_id IS NULL AND claimed_at < now() - interval '60 seconds'
                    RETURNING 1
                    """, logger: Self.logger)
            } else if let current {
                rows = try await connection.query("""
                    UPDATE runbook.alert_groups SET incident_id = NULL, claimed_at = now()
                     WHERE group_key = \(groupKey) AND incident_id = \(current)
                    RETURNING 1
                    """, logger: Self.logger)
            } else {
                rows = try await connection.query("""
                    INSERT INTO runbook.alert_groups (group_key, environment) VALUES (\(groupKey), \(environment))
                    ON CONFLICT (group_key) DO NOTHING RETURNING 1
                    """, logger: Self.logger)
            }
            var claimed = false
            for try await _ in rows { claimed = true }
            return claimed
        }
    }

    /// Records the incident opened for a claimed group.
    public func setAlertGroupIncident(_ groupKey: String, incident: String) async throws(LedgerError) {
        try await run("linking the alert group to its incident") {
            try await drained("UPDATE runbook.alert_groups SET incident_id = \(incident) WHERE group_key = \(groupKey)")
        }
    }

    /// One alert of a notification, as the receiver saw it.
    public struct AlertNotice: Sendable {
        public var groupKey: String
        public var fingerprint: String
        public var alertname: String
        public var runbook: String
        public var status: String
        public var inputsKey: String
        public var startsAt: String
        /// The alert's labels as JSON.
        public var labels: String

        public init(groupKey: String, fingerprint: String, alertname: String, runbook: String, status: String, inputsKey: String,
                    startsAt: String, labels: String) {
            self.groupKey = groupKey
            self.fingerprint = fingerprint
            self.alertname = alertname
            self.runbook = runbook
            self.status = status
            self.inputsKey = inputsKey
            self.startsAt = startsAt
            self.labels = labels
        }
    }

    /// Decides what `notice` does (``AlertDecision``) and records it, atomically: the alert's
    /// row is read and written under an advisory lock on its group key and fingerprint, in one
    /// transaction of this connection. A diagnosis decided here is claimed (`diagnosed_at` is
    /// now), so a concurrent copy of the notification decides `nothing`.
    public func decideAlert(_ notice: AlertNotice, rediagnoseAfter: TimeInterval) async throws(LedgerError) -> AlertDecision {
        try await run("recording the alert") {
            try await transaction("recording the alert") { _ in
                let key = notice.groupKey + "\u{1F}" + notice.fingerprint
                try await drained("SELECT pg_advisory_xact_lock(\(Self.lockNamespace), hashtext(\(key)))")
                var stored: AlertDecision.Stored?
                var now = Date()
                for try await (status, inputs, diagnosed, dbNow) in try await connection.query("""
                    SELECT status, inputs_key, diagnosed_at, now() FROM runbook.alerts
                     WHERE group_key = \(notice.groupKey) AND fingerprint = \(notice.fingerprint)
                    """, logger: Self.logger).decode((String, String, Date?, Date).self) {
                    stored = AlertDecision.Stored(status: status, inputsKey: inputs, diagnosedAt: diagnosed)
                    now = dbNow
                }
                let decision = AlertDecision.decide(stored: stored, status: notice.status, inputsKey: notice.inputsKey, now: now,
                                                    rediagnoseAfter: rediagnoseAfter)
                let diagnose: Bool
                if case .diagnose = decision { diagnose = true } else { diagnose = false }
                if decision != .nothing || stored == nil {
                    try await drained("""
                        INSERT INTO runbook.alerts (group_key, fingerprint, alertname, runbook, status, inputs_key, starts_at, labels, diagnosed_at)
                        VALUES (\(notice.groupKey), \(notice.fingerprint), \(notice.alertname), \(notice.runbook), \(notice.status),
                                \(notice.inputsKey), \(notice.startsAt), \(notice.labels)::jsonb, CASE WHEN \(diagnose) THEN now() END)
                        ON CONFLICT (group_key, fingerprint) DO UPDATE SET
                            status = EXCLUDED.status, inputs_key = EXCLUDED.inputs_key, starts_at = EXCLUDED.starts_at,
                            labels = EXCLUDED.labels, runbook = EXCLUDED.runbook, updated_at = now(),
                            diagnosed_at = CASE WHEN \(diagnose) THEN now() ELSE runbook.alerts.diagnosed_at END
                        """)
                }
                return decision
            }
        }
    }

    /// A firing alert of an incident's alert groups: its row's key, and its labels.
    public struct FiringAlert: Sendable, Equatable {
        public var groupKey: String
        public var fingerprint: String
        public var labels: [String: String]
    }

    /// Each firing alert of `incident`'s alert groups that `runbook` answers: what a live run
    /// of `runbook` linked to the incident silences while it repairs.
    public func firingAlerts(incident: String, runbook: String) async throws(LedgerError) -> [FiringAlert] {
        try await run("reading the incident's alerts") {
            var found: [FiringAlert] = []
            for try await (groupKey, fingerprint, labels) in try await connection.query("""
                SELECT a.group_key, a.fingerprint, a.labels::text FROM runbook.alerts a JOIN runbook.alert_groups g ON g.group_key = a.group_key
                 WHERE g.incident_id = \(incident) AND a.runbook = \(runbook) AND a.status = 'firing'
                 ORDER BY a.group_key, a.fingerprint
                """, logger: Self.logger).decode((String, String, String).self) {
                guard let object = (try? JSON.parse(labels))?.objectValue else { continue }
                let pairs = object.pairs.compactMap { pair in pair.value.stringValue.map { (pair.key, $0) } }
                found.append(FiringAlert(groupKey: groupKey, fingerprint: fingerprint, labels: Dictionary(pairs) { first, _ in first }))
            }
            return found
        }
    }

    /// Records that an alert resolved without Alertmanager saying so (it resolved while a
    /// repair's silence muted it), under the same lock as ``decideAlert(_:rediagnoseAfter:)``:
    /// true when it was still firing here, so the caller posts the resolution; false when a
    /// notification (or another caller) already recorded it, or it fired again since.
    public func resolveSilencedAlert(groupKey: String, fingerprint: String) async throws(LedgerError) -> Bool {
        try await run("recording the alert's resolution") {
            try await transaction("recording the alert's resolution") { _ in
                let key = groupKey + "\u{1F}" + fingerprint
                try await drained("SELECT pg_advisory_xact_lock(\(Self.lockNamespace), hashtext(\(key)))")
                var changed = false
                for try await _ in try await connection.query("""
                    UPDATE runbook.alerts SET status = 'resolved', updated_at = now()
                     WHERE group_key = \(groupKey) AND fingerprint = \(fingerprint) AND status = 'firing'
                    RETURNING 1
                    """, logger: Self.logger) {
                    changed = true
                }
                return changed
            }
        }
    }

    /// Runs `query` and reads its rows to the end (PostgreSQL reports some errors only then).
    private func drained(_ query: PostgresQuery) async throws {
        for try await _ in try await connection.query(query, logger: Self.logger) {}
    }
}
