import ArgumentParser
import Foundation
import RunbookCore
import RunbookLedger

/// `runbook incident resolve ID --root-cause R --resolution X --prevention P`.
struct IncidentResolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve the incident and post the resolution with its total duration; the post-mortem reminder follows 24 h later (incident remind).")

    @OptionGroup var options: IncidentOptions

    @Argument(help: "The incident id (INC-YYYYMMDD-N).")
    var id: String

    @Option(name: .customLong("root-cause"), help: "What caused it.")
    var rootCause: String

    @Option(name: .customLong("resolution"), help: "What fixed it.")
    var resolution: String

    @Option(name: .customLong("prevention"), help: "What keeps it from happening again.")
    var prevention: String

    @Option(name: .customLong("resolved-at"), help: "When it was resolved (default now): a time or '10m ago'.")
    var resolvedAt: String?

    @Flag(name: .customLong("dry-run"), help: "Show the resolution; store and post nothing.")
    var dryRun = false

    func run() async throws {
        let now = Date()
        let at = try incidentTime(resolvedAt, option: "--resolved-at", now: now)
        let (incident, post) = try await options.withDesk(dryRun: dryRun) { desk in
            try await desk.resolve(id, rootCause: rootCause, resolution: resolution, prevention: prevention, resolvedAt: at, now: now)
        }
        printPosts([post])
        StandardStreams.out("\(incident.id) resolved after \(IncidentCadence.durationText(minutes: incident.minutes(at: at)))\n")
        try requireDelivered([post])
    }
}
