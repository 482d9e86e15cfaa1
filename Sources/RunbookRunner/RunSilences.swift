import Foundation
import RunbookCore
import RunbookDrivers
import RunbookLedger

/// The Alertmanager silences of one live run linked to an incident whose alerts fired
/// (docs/alerts.md, "Silence while repairing"): created before the first step for each firing
/// alert of the incident that the runbook answers, expired when the run ends, whatever its
/// outcome. Each is said on the run's output, recorded in the incident's timeline as it
/// happens and in the run's audit log at its end. Alertmanager or the ledger unreachable never
/// stops the repair: the failure is said and recorded, and the run goes on. After the expiry,
/// an alert Alertmanager no longer holds resolved while muted, which Alertmanager never
/// notifies: its resolution is recorded and posted here, once.
struct RunSilences: Sendable {
    /// A silence asked for: its id once Alertmanager created it, else why not.
    struct Entry: Sendable {
        var alert: Ledger.FiringAlert
        var silence: AlertSilence
        var id: String?
        var failure: String?
    }

    let entries: [Entry]
    let runbook: String
    let client: AlertmanagerClient
    let incident: RunIncident
    let redactor: Redactor
    let output: RunOutput

    /// Silences the incident's firing alerts that `runbook` answers; nil when the environment
    /// names no Alertmanager or the incident has no such alert (nothing to do, nothing said).
    static func start(incident linked: RunIncident, runbook: Runbook, environment env: Environment, runID: String, operatorName: String,
                      redactor: Redactor, output: RunOutput) async -> RunSilences?
    {
        guard let url = env.alertmanagerURL else { return nil }
        let alerts: [Ledger.FiringAlert]
        do throws(LedgerError) {
            let ledger = try await Ledger.connect(url: linked.url)
            do throws(LedgerError) {
                alerts = try await ledger.firingAlerts(incident: linked.incident.id, runbook: runbook.id)
            } catch {
                await ledger.close()
                throw error
            }
            await ledger.close()
        } catch {
            output.line("warning: \(linked.incident.id): its alerts could not be read, so none is silenced: \(redactor.redact(error.message))")
            return nil
        }
        guard !alerts.isEmpty else { return nil }
        let client = AlertmanagerClient(baseURL: url)
        let duration = AlertSilence.duration(for: runbook, maximum: env.maxSilence)
        var entries: [Entry] = []
        for alert in alerts {
            let silence = AlertSilence(labels: alert.labels, runID: runID, runbook: runbook.id, incident: linked.incident.id, operatorName: operatorName,
                                       now: Date(), duration: duration)
            do throws(AlertmanagerError) {
                entries.append(Entry(alert: alert, silence: silence, id: try await client.create(silence)))
            } catch {
                entries.append(Entry(alert: alert, silence: silence, failure: redactor.redact(error.message)))
            }
        }
        let silences = RunSilences(entries: entries, runbook: runbook.id, client: client, incident: linked, redactor: redactor, output: output)
        for entry in entries {
            if let id = entry.id {
                await silences.record("silenced \(entry.silence.alertname) in Alertmanager while run \(runID) repairs (silence \(id), until \(Self.time(entry.silence.endsAt)))",
                                      entry, action: "created", key: "silence:\(id):created")
            } else {
                await silences.record("could not silence \(entry.silence.alertname) (the repair goes on): \(entry.failure ?? "")", entry, action: "failed",
                                      key: nil)
            }
        }
        return silences
    }

    /// Expires every silence created, then appends the run's `alert.silenced` and
    /// `alert.unsilenced` records to `audit` (before its checkpoint is signed).
    func end(runID: String, status: String, audit: AuditLog) async {
        var expired: [String: String?] = [:]
        for entry in entries {
            guard let id = entry.id else { continue }
            do throws(AlertmanagerError) {
                try await client.expire(id)
                expired[id] = .some(nil)
                await record("expired the silence of \(entry.silence.alertname) (silence \(id)): the run ended \(status)", entry,
                             action: "expired", key: "silence:\(id):expired")
                await resolveIfGone(entry, runID: runID)
            } catch {
                let why = redactor.redact(error.message)
                expired[id] = .some(why)
                await record("could not expire the silence of \(entry.silence.alertname) (silence \(id)); it ends by itself at \(Self.time(entry.silence.endsAt)): \(why)",
                             entry, action: "expire-failed", key: "silence:\(id):expire-failed")
            }
        }
        for entry in entries {
            var fields = entry.silence.recordValue(id: entry.id).objectValue?.pairs.map { ($0.key, $0.value) } ?? []
            fields.append(("incident", .string(incident.incident.id)))
            if let failure = entry.failure { fields.append(("error", .string(failure))) }
            do { _ = try audit.append(event: "alert.silenced", runID: runID, fields: fields, sync: false) } catch {
                output.line("warning: the silence was not written to the audit log: \(error.message)")
            }
            guard let id = entry.id, let outcome = expired[id] else { continue }
            var ended: [(String, Value)] = [("silence_id", .string(id)), ("alertname", .string(entry.silence.alertname)), ("run_status", .string(status))]
            ended.append(("expired", .bool(outcome == nil)))
            if let why = outcome { ended.append(("error", .string(why))) }
            do { _ = try audit.append(event: "alert.unsilenced", runID: runID, fields: ended, sync: false) } catch {
                output.line("warning: the silence's expiry was not written to the audit log: \(error.message)")
            }
        }
    }

    /// Once its silence is expired: when Alertmanager no longer holds the alert, it resolved
    /// while muted (Alertmanager drops that resolution and never sends it); the ledger records
    /// the resolution unless a notification already did, and then it is posted to the
    /// incident's channel and timeline as the receiver posts one. Still held: Alertmanager
    /// notifies the resolution itself, now that nothing mutes it. Alertmanager or the ledger
    /// unreachable: said, and left to Alertmanager.
    func resolveIfGone(_ entry: Entry, runID: String) async {
        let name = entry.silence.alertname
        do throws(AlertmanagerError) {
            guard !(try await client.holds(labels: entry.alert.labels)) else { return }
        } catch {
            output.line("  silence: could not ask Alertmanager whether \(name) still fires (its resolution is posted when Alertmanager sends it): \(redactor.redact(error.message))")
            return
        }
        let id = incident.incident.id
        do {
            let ledger = try await Ledger.connect(url: incident.url)
            let desk = IncidentDesk(ledger: ledger, environment: incident.environment, home: incident.home, ladder: incident.ladder, author: "alertmanager")
            do {
                if try await ledger.resolveSilencedAlert(groupKey: entry.alert.groupKey, fingerprint: entry.alert.fingerprint),
                   let current = try await ledger.incident(id)
                {
                    let text = AlertResolvedMessage(alert: name, incident: id, environment: incident.environment.name,
                                                    note: "while silenced for run \(runID); Alertmanager no longer holds it").text
                    try await desk.postAlert(text, incident: current, key: "resolved:\(entry.alert.fingerprint):silenced:\(runID)",
                                             details: [("alert", .string(name)), ("status", "resolved"), ("runbook", .string(runbook)),
                                                       ("run_id", .string(runID)), ("via", "silence expiry")])
                    output.line("  silence: \(name) resolved while silenced (Alertmanager no longer holds it): posted to \(id)")
                }
            } catch {
                output.line("warning: \(id): \(name) resolved while silenced, but its resolution is not posted: \(redactor.redact(Self.message(of: error)))")
            }
            await desk.shutdown()
            await ledger.close()
        } catch {
            output.line("warning: \(id): \(name) resolved while silenced, but the ledger cannot be reached to post it: \(redactor.redact(Self.message(of: error)))")
        }
    }

    /// Says `message` on the run's output and appends it to the incident's timeline.
    func record(_ message: String, _ entry: Entry, action: String, key: String?) async {
        output.line("  silence: \(message)")
        var details = entry.silence.recordValue(id: entry.id).objectValue?.pairs.map { ($0.key, $0.value) } ?? []
        details.append(("action", .string(action)))
        if let failure = entry.failure { details.append(("error", .string(failure))) }
        let event = IncidentEvent(at: Date(), kind: .silence, author: entry.silence.createdBy, message: message, key: key, details: .object(details))
        do throws(LedgerError) {
            let ledger = try await Ledger.connect(url: incident.url)
            do throws(LedgerError) { try await ledger.add(event, to: incident.incident.id) } catch {
                await ledger.close()
                throw error
            }
            await ledger.close()
        } catch {
            output.line("warning: \(incident.incident.id): the silence is not in the timeline: \(redactor.redact(error.message))")
        }
    }

    /// A ledger's or an incident desk's error as its message (never a URL it was given).
    static func message(of error: any Error) -> String {
        (error as? LedgerError)?.message ?? (error as? IncidentError)?.message ?? "\(error)"
    }

    static func time(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
