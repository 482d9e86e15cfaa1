import Foundation
import PostgresNIO

extension Ledger {
    /// What one probe recorded: the minute of the ledger's clock it counts for, and whether that
    /// minute is up (false when any probe of the minute saw etl-core down).
    public struct ProbeMinute: Sendable, Equatable {
        /// The minute, as the ledger renders it (UTC, ISO 8601).
        public var minute: String
        /// The minute's verdict after this probe.
        public var up: Bool
    }

    /// Records one probe of `environment`'s /health in the minute of the ledger's clock (not
    /// the prober's: a machine with a wrong clock cannot move an outage). A second probe of the
    /// same minute (two probers, a retried timer) keeps one row, and down wins.
    public func recordProbe(environment: String, up: Bool, detail: String) async throws(LedgerError) -> ProbeMinute {
        try await run("recording the probe") {
            let rows = try await connection.query("""
                INSERT INTO runbook.probes AS p (environment, minute, up, detail)
                VALUES (\(environment), date_trunc('minute', now()), \(up), \(String(detail.prefix(500))))
                ON CONFLICT (environment, minute) DO UPDATE
                   SET up = p.up AND EXCLUDED.up,
                       detail = CASE WHEN EXCLUDED.up THEN p.detail ELSE EXCLUDED.detail END,
                       probed_at = EXCLUDED.probed_at
                RETURNING to_char(minute AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"'), up
                """, logger: Self.logger)
            var recorded = ProbeMinute(minute: "", up: up)
            for try await (minute, verdict) in rows.decode((String, Bool).self) { recorded = ProbeMinute(minute: minute, up: verdict) }
            return recorded
        }
    }
}
