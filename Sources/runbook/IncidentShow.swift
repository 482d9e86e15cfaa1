import ArgumentParser
import Foundation
import RunbookCore
import RunbookLedger

/// `runbook incident show ID`: the incident and its timeline.
struct IncidentShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "An incident and its timeline: declaration, runs, updates, escalations, reminders, resolution.")

    @OptionGroup var options: IncidentOptions

    @Argument(help: "The incident id (INC-YYYYMMDD-N).")
    var id: String

    func run() async throws {
        let now = Date()
        let (incident, events) = try await options.withDesk(acts: false) { desk in
            guard let incident = try await desk.ledger.incident(id) else {
                throw IncidentError(.invalid, "no incident '\(id)' in the ledger (runbook incident list --all)")
            }
            return (incident, try await desk.ledger.events(id))
        }
        let out = { (s: String) in StandardStreams.out(TextReporter.escape(s) + "\n") }
        out("\(incident.id): \(incident.title)")
        out("  severity \(incident.severity) · \(incident.environment) · commander \(incident.openedBy) · \(incident.channelName)")
        out("  started \(IncidentMessage.time(incident.startedAt))"
            + (incident.resolvedAt.map { " · resolved \(IncidentMessage.time($0)) after \(IncidentCadence.durationText(minutes: incident.minutes(at: $0)))" }
                ?? " · \(incident.status.display), open \(IncidentCadence.durationText(minutes: incident.minutes(at: now))), escalation level \(incident.escalationLevel)"))
        if let r = incident.rootCause { out("  root cause: \(r) · resolution: \(incident.resolution ?? "") · prevention: \(incident.prevention ?? "")") }
        out("timeline:")
        for e in events {
            var line = "  \(IncidentMessage.time(e.at))  \(e.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))  \(e.author): \(e.message)"
            if let delivered = e.details["delivered"]?.boolValue {
                line += delivered ? " → \(e.details["channels"]?.stringValue ?? "")" : " (not delivered: \(e.details["answer"]?.stringValue ?? ""))"
            }
            out(line)
        }
    }
}
