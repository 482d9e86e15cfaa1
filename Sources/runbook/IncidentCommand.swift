import ArgumentParser
import Foundation
import RunbookCore
import RunbookLedger
import RunbookRunner

/// `runbook incident open|update|list|show|remind|resolve`: an incident's life in the ledger,
/// posted to the environment's `incident` channel.
struct IncidentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident",
        abstract: "Incidents in the team's ledger: declare, update, escalate, remind, resolve (docs/incidents.md).",
        discussion: "Exit codes: 0 ok · 2 invalid (unknown or resolved incident, bad value, missing channel or template) · 4 a channel or the ledger cannot be reached.",
        subcommands: [IncidentOpen.self, IncidentUpdate.self, IncidentList.self, IncidentShow.self, IncidentRemind.self, IncidentResolve.self])
}

/// `--started-at` / `--resolved-at`: a time, or exit 2.
func incidentTime(_ text: String?, option: String, now: Date) throws -> Date {
    guard let text else { return now }
    guard let date = IncidentTime.parse(text, now: now) else {
        throw CommandFailure(.usage, "error: \(option) takes a time such as 2025-01-15T14:05:00Z, '2025-01-15 14:05' (UTC) or 45m ago, got '\(text)'")
    }
    guard date <= now.addingTimeInterval(60) else {
        throw CommandFailure(.usage, "error: \(option) is in the future (\(IncidentMessage.time(date)))")
    }
    return date
}

/// Shows what was posted: a header line with the channels' answer, then the message indented.
func printPosts(_ posts: [IncidentDesk.Post], to out: (String) -> Void = { StandardStreams.out($0) }) {
    writePosts(posts, to: out)
}

/// Exit 4 when a message did not arrive (what the ledger needed is already written).
func requireDelivered(_ posts: [IncidentDesk.Post]) throws {
    let failed = posts.filter { !$0.delivered && !$0.answer.hasPrefix("would post") }
    guard failed.isEmpty else {
        for post in failed { printError("error: \(post.incident) \(post.kind.rawValue) not delivered: \(post.answer)") }
        throw CommandFailure(.unavailable)
    }
}
