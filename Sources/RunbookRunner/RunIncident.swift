import Foundation
public import RunbookCore
import RunbookLedger

/// A run's link to an incident of the ledger (`run --incident ID`, or for a runbook tagged
/// `incident` the environment's one open incident): the escalation posted before the run when
/// due, the run's timeline entry after it. No connection is held while the run goes on (each
/// phase connects and closes), and the ledger never stops a repair: when it cannot be reached
/// the run goes on unlinked, loudly.
public struct RunIncident: Sendable {
    public let incident: Incident
    let url: String
    let environment: Environment
    let home: URL
    let ladder: Escalation?
    let author: String
    let dryRun: Bool
    let redactor: Redactor
    let output: RunOutput

    /// The incident the run is linked to, or nil. Exit 2 for `--incident` in an environment
    /// without a ledger, or naming an incident that does not exist, is resolved or is another
    /// environment's.
    static func link(flag: String?, runbook: Runbook, environment env: Environment, home: URL, ladder: Escalation?, author: String,
                     dryRun: Bool, redactor: Redactor, output: RunOutput) async throws(RunSessionError) -> RunIncident?
    {
        // Linked by --incident, or a live run of an incident runbook to the one open incident.
        // A dry run links only when told: it changes nothing in the incident, and looking the
        // incident up would cost every CI dry run a connection to the ledger before it starts.
        guard flag != nil || (runbook.tags.contains("incident") && !dryRun) else { return nil }
        guard let url = env.ledgerURL else {
            if let flag {
                output.line("error: --incident \(flag): environment '\(env.name)' names no ledger (ledger: {url: ...}), where incidents live")
                throw .invalid
            }
            return nil
        }
        let found: Result<[Incident], LedgerError>
        do throws(LedgerError) {
            let ledger = try await Ledger.connect(url: url)
            do throws(LedgerError) {
                if let flag {
                    found = .success(try await ledger.incident(flag).map { [$0] } ?? [])
                } else {
                    found = .success(try await ledger.incidents(environment: env.name, all: false))
                }
            } catch { found = .failure(error) }
            await ledger.close()
        } catch { found = .failure(error) }
        let incidents: [Incident]
        switch found {
        case .failure(let error):
            output.line("warning: the run is not linked to an incident: \(redactor.redact(error.message))")
            return nil
        case .success(let list): incidents = list
        }
        func linked(_ incident: Incident) -> RunIncident {
            RunIncident(incident: incident, url: url, environment: env, home: home, ladder: ladder, author: author, dryRun: dryRun, redactor: redactor,
                        output: output)
        }
        if let flag {
            guard let incident = incidents.first else {
                output.line("error: --incident \(flag): no such incident in the ledger (runbook incident list --env \(env.name))")
                throw .invalid
            }
            guard incident.isOpen else {
                output.line("error: --incident \(flag): the incident is resolved")
                throw .invalid
            }
            guard incident.environment == env.name else {
                output.line("error: --incident \(flag) is an incident of environment '\(incident.environment)', not '\(env.name)'")
                throw .invalid
            }
            return linked(incident)
        }
        if incidents.count > 1 {
            output.line("warning: \(incidents.count) open incidents in \(env.name) (\(incidents.map(\.id).joined(separator: ", "))): the run is linked to none; pass --incident ID")
        }
        return incidents.count == 1 ? linked(incidents[0]) : nil
    }

    /// Runs `body` with a desk on a connection of its own, closed after; a failure is a warning.
    private func withDesk(_ doing: String, _ body: (IncidentDesk) async throws -> Void) async {
        let ledger: Ledger
        do { ledger = try await Ledger.connect(url: url) } catch {
            output.line("warning: \(incident.id): \(doing): \(redactor.redact(error.message))")
            return
        }
        let desk = IncidentDesk(ledger: ledger, environment: environment, home: home, ladder: ladder, author: author, dryRun: dryRun)
        do { try await body(desk) } catch {
            let message = (error as? IncidentError)?.message ?? (error as? LedgerError)?.message ?? "\(error)"
            output.line("warning: \(incident.id): \(doing): \(desk.redactor.redact(message))")
        }
        await desk.shutdown()
        await ledger.close()
    }

    /// Before the run: the escalation now due, posted (a dry run shows it and posts nothing).
    func starting(quiet: Bool) async {
        await withDesk("the escalation could not be posted") { desk in
            let posts = try await desk.performDue(incident.id, only: [.escalation])
            writePosts(posts) { quiet ? output.err($0) : output.out($0) }
        }
    }

    /// After the run: its timeline entry. A live run that delivered a notify step to the
    /// `incident` channel has given the 30-minute update.
    func ended(report: RunReport, runbook: Runbook) async {
        let incidentSteps = Set(runbook.steps.compactMap { step -> String? in
            guard case .notify(let spec) = step.driver, spec.channels.contains(where: { $0.value == "incident" }) else { return nil }
            return step.id
        })
        let posted = !report.dryRun && report.steps.contains { incidentSteps.contains($0.id) && $0.status == .succeeded }
        await withDesk("the run was not added to the incident's timeline") { desk in
            try await desk.runEnded(incident, report: report, posted: posted)
        }
    }
}
