import Foundation
import Hummingbird
import Prometheus
import RunbookLedger

/// `/metrics` in the Prometheus text format (swift-prometheus): read from the ledger at each
/// scrape, so every replica of the console says the same; plus this console's own event
/// streams.
struct ConsoleMetrics: Sendable {
    func scrape(pool: LedgerPool, hub: EventHub, audit: AuditState) async throws -> Response {
        let stats = try await pool.with { try await $0.statistics() }
        let registry = PrometheusCollectorRegistry()
        func gauge(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Double) {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels).set(to: value)
        }
        for r in stats.runs {
            gauge("runbook_runs", "Runs in the ledger, by runbook and status", [("runbook", r.runbook), ("status", r.status)], Double(r.count))
        }
        for d in stats.durations {
            let labels = [("runbook", d.runbook)]
            gauge("runbook_run_duration_seconds_sum_24h", "Total duration of the runs that ended in the last 24 hours", labels, d.sum)
            gauge("runbook_runs_ended_24h", "Runs that ended in the last 24 hours", labels, Double(d.count))
            gauge("runbook_run_duration_p95_seconds_24h", "95th percentile duration of the runs that ended in the last 24 hours", labels, d.p95)
        }
        let pendingHelp = "Approval requests waiting for a decision (not expired)"
        if stats.pendingApprovals.isEmpty {
            gauge("runbook_pending_approvals", pendingHelp, [("environment", "")], 0)
        }
        for p in stats.pendingApprovals {
            gauge("runbook_pending_approvals", pendingHelp, [("environment", p.environment)], Double(p.count))
        }
        let incidentsHelp = "Open incidents"
        if stats.openIncidents.isEmpty {
            gauge("runbook_open_incidents", incidentsHelp, [("environment", ""), ("severity", "")], 0)
        }
        for i in stats.openIncidents {
            gauge("runbook_open_incidents", incidentsHelp, [("environment", i.environment), ("severity", i.severity)], Double(i.count))
        }
        let last = await audit.last
        gauge("runbook_ledger_verify_intact", "Last audit verify --ledger by this console: 1 intact, 0 tampered, -1 not run yet (open /audit)", [], last.map { $0.intact ? 1 : 0 } ?? -1)
        gauge("runbook_ledger_verify_timestamp_seconds", "When this console last verified the ledger (0: never)", [], last?.at.timeIntervalSince1970 ?? 0)
        gauge("runbook_ledger_verifications", "Verifications of the ledger this console has run (on its timer or the /audit button)", [],
              Double(await audit.verifications))
        gauge("runbook_console_event_clients", "Browsers following /api/events now", [], Double(await hub.count))
        gauge("runbook_console_events_sent", "Server-sent events sent since the console started", [], Double(await hub.sent))
        gauge("runbook_console_listening", "1 while the console listens to the ledger's notifications", [], await hub.listening ? 1 : 0)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: registry.emitToString())))
    }
}
