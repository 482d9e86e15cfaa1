import ArgumentParser
import Foundation
import RunbookCore
import RunbookLedger

/// `runbook incident list [--all]`.
struct IncidentList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The environment's open incidents (--all: resolved ones too), newest first.")

    @OptionGroup var options: IncidentOptions

    @Flag(name: .customLong("all"), help: "Resolved incidents too.")
    var all = false

    func run() async throws {
        let now = Date()
        let incidents = try await options.withDesk(acts: false) { desk in
            try await desk.ledger.incidents(environment: desk.environment.name, all: all)
        }
        if incidents.isEmpty {
            StandardStreams.out(all ? "no incidents\n" : "no open incidents\n")
            return
        }
        for i in incidents {
            let state = i.isOpen ? "\(i.status.rawValue), \(IncidentCadence.durationText(minutes: i.minutes(at: now))), level \(i.escalationLevel)"
                : "resolved after \(IncidentCadence.durationText(minutes: i.minutes(at: now)))"
            StandardStreams.out("\(i.id)  \(i.severity)  \(IncidentMessage.time(i.startedAt))  \(TextReporter.escape(i.title))  (\(state))\n")
        }
    }
}
