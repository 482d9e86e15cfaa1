public import Foundation
import PostgresNIO
public import RunbookCore

extension Ledger {
    static let incidentColumns = """
        id, environment, title, severity, status, opened_by, impact, started_at, resolved_at, escalation_level, last_update_at,
        root_cause, resolution, prevention, postmortem_reminded_at, affected_services
        """

    static func decodeIncident(_ row: PostgresRow) throws -> Incident {
        let c = try row.decode((String, String, String, String, String, String, String, Date, Date?, Int, Date, String?, String?, String?, Date?).self)
        let affected = try row.makeRandomAccess()["affected_services"].decode(String.self)
        return Incident(id: c.0, environment: c.1, title: c.2, severity: c.3, status: Incident.Status(text: c.4) ?? .investigating, openedBy: c.5,
                        impact: c.6, startedAt: c.7, resolvedAt: c.8, escalationLevel: c.9, lastUpdateAt: c.10, rootCause: c.11,
                        resolution: c.12, prevention: c.13, postmortemRemindedAt: c.14, affectedServices: affected)
    }

    /// Stores a new incident and returns it with its id, `INC-<UTC day of its start>-<N>`. N is
    /// one more than the day's highest, counted under a transaction-scoped advisory lock on the
    /// day, so concurrent opens get 1, 2, 3... (the primary key would refuse a duplicate anyway).
    public func openIncident(environment: String, title: String, severity: String, openedBy: String, impact: String,
                             affectedServices: String = "", startedAt: Date, now: Date, level: Int) async throws(LedgerError) -> Incident
    {
        let prefix = Incident.idPrefix(day: startedAt)
        return try await run("declaring the incident") {
            try await transaction("declaring the incident") { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockNamespace), hashtext(\(prefix)))", logger: Self.logger)
                let rows = try await connection.query("""
                    INSERT INTO runbook.incidents (id, environment, title, severity, status, opened_by, impact, affected_services, started_at,
                                                   escalation_level, last_update_at)
                    SELECT \(prefix) || (coalesce(max(split_part(id, '-', 3)::int), 0) + 1), \(environment), \(title), \(severity), 'investigating',
                           \(openedBy), \(impact), \(affectedServices), \(startedAt), \(level), \(now)
                      FROM runbook.incidents WHERE id LIKE \(prefix) || '%'
                    RETURNING \(unescaped: Self.incidentColumns)
                    """, logger: Self.logger)
                var incident: Incident?
                for try await row in rows { incident = try Self.decodeIncident(row) }
                guard let incident else { throw LedgerError(.failed, "ledger at \(target): the incident was not stored") }
                return incident
            }
        }
    }

    /// Incident `id`; nil when the ledger has none.
    public func incident(_ id: String) async throws(LedgerError) -> Incident? {
        try await run("reading the incident") {
            var found: Incident?
            for try await row in try await connection.query("SELECT \(unescaped: Self.incidentColumns) FROM runbook.incidents WHERE id = \(id)",
                                                            logger: Self.logger) {
                found = try Self.decodeIncident(row)
            }
            return found
        }
    }

    /// Incidents, newest start first: of `environment` (every one when nil); open ones only unless
    /// `all`; `postmortemPending` adds resolved ones whose post-mortem reminder is not posted yet.
    public func incidents(environment: String?, all: Bool, postmortemPending: Bool = false, limit: Int = 200) async throws(LedgerError) -> [Incident] {
        try await run("listing incidents") {
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.incidentColumns) FROM runbook.incidents
                 WHERE (\(environment)::text IS NULL OR environment = \(environment))
                   AND (\(all) OR resolved_at IS NULL OR (\(postmortemPending) AND postmortem_reminded_at IS NULL))
                 ORDER BY started_at DESC, id DESC LIMIT \(limit)
                """, logger: Self.logger)
            var out: [Incident] = []
            for try await row in rows { out.append(try Self.decodeIncident(row)) }
            return out
        }
    }

    /// Incident `id`'s timeline, oldest first.
    public func events(_ id: String) async throws(LedgerError) -> [IncidentEvent] {
        try await run("reading the incident's timeline") {
            let rows = try await connection.query("""
                SELECT at, kind, author, message, run_id, key, details::text FROM runbook.incident_events
                 WHERE incident_id = \(id) ORDER BY at, id
                """, logger: Self.logger)
            var out: [IncidentEvent] = []
            for try await row in rows {
                let c = try row.decode((Date, String, String, String, String?, String?, String?).self)
                if let event = Self.incidentEvent(at: c.0, kind: c.1, author: c.2, message: c.3, runID: c.4, key: c.5, details: c.6) { out.append(event) }
            }
            return out
        }
    }

    /// A timeline entry from its columns; nil for a kind this version does not know.
    static func incidentEvent(at: Date, kind: String, author: String, message: String, runID: String?, key: String?, details: String?) -> IncidentEvent? {
        guard let kind = IncidentEvent.Kind(rawValue: kind) else { return nil }
        return IncidentEvent(at: at, kind: kind, author: author, message: message, runID: runID, key: key,
                             details: details.flatMap { try? JSON.parse($0) } ?? .null)
    }

    /// What an event changes on its incident besides the timeline.
    public struct IncidentChange: Sendable {
        /// The channel heard about it: `last_update_at` becomes the event's time.
        public var touches = false
        /// The status said (an update, a resolution).
        public var status: Incident.Status?
        /// The escalation level now notified.
        public var level: Int?
        /// The post-mortem reminder was posted.
        public var postmortemReminded = false

        /// A change.
        public init(touches: Bool = false, status: Incident.Status? = nil, level: Int? = nil, postmortemReminded: Bool = false) {
            self.touches = touches
            self.status = status
            self.level = level
            self.postmortemReminded = postmortemReminded
        }
    }

    /// Appends `event` to incident `id`'s timeline and applies `change`, in one statement. False
    /// (and nothing changed) when the incident already has an event with the same key.
    @discardableResult
    public func add(_ event: IncidentEvent, to id: String, change: IncidentChange = IncidentChange()) async throws(LedgerError) -> Bool {
        let details = event.details == .null ? nil : JSON.encode(event.details)
        return try await run("writing the incident's timeline") {
            let rows = try await connection.query("""
                WITH added AS (
                    INSERT INTO runbook.incident_events (incident_id, at, kind, author, message, run_id, key, details)
                    VALUES (\(id), \(event.at), \(event.kind.rawValue), \(event.author), \(event.message), \(event.runID), \(event.key), \(details)::jsonb)
                    ON CONFLICT (incident_id, key) WHERE key IS NOT NULL DO NOTHING
                    RETURNING id
                ), changed AS (
                    UPDATE runbook.incidents
                       SET last_update_at = CASE WHEN \(change.touches) THEN greatest(last_update_at, \(event.at)) ELSE last_update_at END,
                           status = coalesce(\(change.status?.rawValue)::text, status),
                           escalation_level = greatest(escalation_level, coalesce(\(change.level)::int, 0)),
                           postmortem_reminded_at = CASE WHEN \(change.postmortemReminded) THEN \(event.at) ELSE postmortem_reminded_at END
                     WHERE id = \(id) AND EXISTS (SELECT 1 FROM added)
                )
                SELECT count(*)::int FROM added
                """, logger: Self.logger)
            var added = 0
            for try await n in rows.decode(Int.self) { added = n }
            return added > 0
        }
    }

    /// Whether incident `id` has an event keyed `key`.
    public func hasEvent(_ id: String, key: String) async throws(LedgerError) -> Bool {
        try await run("reading the incident's timeline") {
            var found = false
            for try await flag in try await connection.query(
                "SELECT EXISTS (SELECT 1 FROM runbook.incident_events WHERE incident_id = \(id) AND key = \(key))", logger: Self.logger).decode(Bool.self) {
                found = flag
            }
            return found
        }
    }

    /// Runs `body` with incident `id` locked (`SELECT ... FOR UPDATE SKIP LOCKED`) in a
    /// transaction, committed when `body` returns and rolled back when it throws. `body` gets nil
    /// when the incident does not exist or another process holds it (a concurrent `remind`, a
    /// run posting its escalation): that process is doing what is due, so nothing is posted twice.
    public func withIncident<T: Sendable>(_ id: String, _ body: (Incident?) async throws -> T) async throws -> T {
        let doing = "locking the incident"
        return try await transaction(doing) { connection in
            var locked: Incident?
            do {
                for try await row in try await connection.query(
                    "SELECT \(unescaped: Self.incidentColumns) FROM runbook.incidents WHERE id = \(id) FOR UPDATE SKIP LOCKED", logger: Self.logger) {
                    locked = try Self.decodeIncident(row)
                }
            } catch { throw Self.failure(error, doing: doing, target: target) }
            return try await body(locked)
        }
    }

    /// Resolves incident `id` at `resolvedAt`; nil when it does not exist or is already resolved.
    public func resolveIncident(_ id: String, rootCause: String, resolution: String, prevention: String,
                                resolvedAt: Date) async throws(LedgerError) -> Incident?
    {
        try await run("resolving the incident") {
            var resolved: Incident?
            for try await row in try await connection.query("""
                UPDATE runbook.incidents
                   SET resolved_at = \(resolvedAt), status = 'resolved', root_cause = \(rootCause), resolution = \(resolution),
                       prevention = \(prevention), last_update_at = greatest(last_update_at, \(resolvedAt))
                 WHERE id = \(id) AND resolved_at IS NULL
                RETURNING \(unescaped: Self.incidentColumns)
                """, logger: Self.logger) {
                resolved = try Self.decodeIncident(row)
            }
            return resolved
        }
    }
}
