import ArgumentParser
import Foundation
import RunbookCore
import RunbookLedger

/// `runbook incident update ID --status S --message M [--next-steps T] [--eta T]`.
struct IncidentUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Post a status update (Investigating, Identified, Monitoring) to the incident's channel; resets the 30-minute cadence.")

    @OptionGroup var options: IncidentOptions

    @Argument(help: "The incident id (INC-YYYYMMDD-N).")
    var id: String

    @Option(name: .customLong("status"), help: "Investigating, Identified or Monitoring (resolve with `incident resolve`).")
    var status: String

    @Option(name: .customLong("message"), help: "What was done (the update's Actions Taken line).")
    var message: String

    @Option(name: .customLong("next-steps"), help: "What is being done next (the update's Next Steps line).")
    var nextSteps: String = ""

    @Option(name: .customLong("eta"), help: "The expected resolution time (the update's ETA line), e.g. '15:30 UTC' or '45 min'.")
    var eta: String = ""

    @Flag(name: .customLong("dry-run"), help: "Show the update; store and post nothing.")
    var dryRun = false

    func run() async throws {
        guard let status = Incident.Status(text: status), status != .resolved else {
            throw CommandFailure(.usage, "error: --status takes Investigating, Identified or Monitoring, got '\(self.status)'"
                + (self.status.lowercased() == "resolved" ? " (use `runbook incident resolve`)" : ""))
        }
        let posts = try await options.withDesk(dryRun: dryRun) { desk in
            try await desk.update(id, status: status, message: message, nextSteps: nextSteps, eta: eta)
        }
        printPosts(posts)
        try requireDelivered(posts)
    }
}
