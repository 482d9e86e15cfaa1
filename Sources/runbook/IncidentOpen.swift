import ArgumentParser
import Foundation
import RunbookCore
import RunbookLedger

/// `runbook incident open --env NAME --title T --severity P2 [--started-at TIME]`.
struct IncidentOpen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Declare an incident: stored in the ledger, the declaration posted to the incident channel; prints its id (INC-YYYYMMDD-N).")

    @OptionGroup var options: IncidentOptions

    @Option(name: .customLong("title"), help: "What is wrong, in one line.")
    var title: String

    @Option(name: .customLong("severity"), help: "P1, P2, P3 or P4.")
    var severity: String

    @Option(name: .customLong("impact"), help: "The business impact (the declaration's Impact line).")
    var impact: String = ""

    @Option(name: .customLong("affected-services"), help: "The services it affects (the declaration's Affected Services line), e.g. 'ETL pipeline, Dashboard'.")
    var affectedServices: String = ""

    @Option(name: .customLong("started-at"), help: "When it began (escalation counts from here): 2025-01-15T14:05:00Z, '2025-01-15 14:05' (UTC) or '45m ago'; default now.")
    var startedAt: String?

    @Flag(name: .customLong("dry-run"), help: "Show the declaration; store and post nothing.")
    var dryRun = false

    func run() async throws {
        let severity = self.severity.uppercased()
        guard Incident.severities.contains(severity) else {
            throw CommandFailure(.usage, "error: --severity takes one of \(Incident.severities.joined(separator: ", ")), got '\(self.severity)'")
        }
        guard !title.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CommandFailure(.usage, "error: --title is empty")
        }
        let now = Date()
        let start = try incidentTime(startedAt, option: "--started-at", now: now)
        let (incident, posts) = try await options.withDesk(dryRun: dryRun) { desk in
            try await desk.open(title: title, severity: severity, impact: impact, affectedServices: affectedServices, startedAt: start, now: now)
        }
        printPosts(posts) { StandardStreams.err($0) }
        StandardStreams.out(incident.id + "\n")
        try requireDelivered(posts)
    }
}
