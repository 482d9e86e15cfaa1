import ArgumentParser
import Foundation
import RunbookCore
import RunbookLedger

/// `runbook incident remind --env NAME`: for a timer every few minutes.
struct IncidentRemind: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remind",
        abstract: "For a timer: post what is due for the environment's incidents (escalation, the 30-minute update reminder, the post-mortem reminder 24 h after resolution), each once.",
        discussion: "Safe to run often and concurrently: each reminder is claimed under the incident's row lock and keyed in the ledger. A message that did not arrive is tried again by the next remind (exit 4).")

    @OptionGroup var options: IncidentOptions

    @Flag(name: .customLong("dry-run"), help: "Show what is due; post and store nothing.")
    var dryRun = false

    func run() async throws {
        let now = Date()
        let posts = try await options.withDesk(dryRun: dryRun) { desk in
            var posts: [IncidentDesk.Post] = []
            let incidents = try await desk.ledger.incidents(environment: desk.environment.name, all: false, postmortemPending: true)
            for incident in incidents.sorted(by: { $0.startedAt < $1.startedAt }) {
                posts += try await desk.performDue(incident.id, now: now)
            }
            return posts
        }
        if posts.isEmpty { StandardStreams.out("nothing due\n") }
        printPosts(posts)
        try requireDelivered(posts)
    }
}
