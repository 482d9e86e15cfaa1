import ArgumentParser
import Foundation
import RunbookCore
import RunbookLedger

/// A run's link to an incident of the ledger (`run --incident ID`, or for a runbook tagged
/// `incident` the environment's one open incident): the escalation posted before the run when
/// due, the run's timeline entry after it. The ledger never stops a repair: when it cannot be
/// reached the run goes on unlinked, loudly.
struct RunIncident: Sendable {
    let incident: Incident
    let desk: IncidentDesk
    let format: @Sendable (String) -> Void

    /// The incident the run is linked to, or nil. Exit 2 for `--incident` in an environment
    /// without a ledger, or naming an incident that does not exist or is resolved.
    static func link(flag: String?, runbook: Runbook, environment env: Environment, home: URL, ladder: Escalation?, author: String,
                     dryRun: Bool, redactor: Redactor) async throws -> RunIncident?
    {
        guard flag != nil || runbook.tags.contains("incident") else { return nil }
        guard let url = env.ledgerURL else {
            if let flag {
                printError("error: --incident \(flag): environment '\(env.name)' names no ledger (ledger: {url: ...}), where incidents live")
                throw ExitCode(2)
            }
            return nil
        }
        let ledger: Ledger
        do { ledger = try await Ledger.connect(url: url) } catch {
            printError("warning: the run is not linked to an incident: \(redactor.redact(error.message))")
            return nil
        }
        let desk = IncidentDesk(ledger: ledger, environment: env, home: home, ladder: ladder, author: author, dryRun: dryRun)
        func drop() async {
            await desk.shutdown()
            await ledger.close()
        }
        do {
            if let flag {
                guard let found = try await ledger.incident(flag) else {
                    await drop()
                    printError("error: --incident \(flag): no such incident in the ledger (runbook incident list --env \(env.name))")
                    throw ExitCode(2)
                }
                guard found.isOpen else {
                    await drop()
                    printError("error: --incident \(flag): the incident is resolved")
                    throw ExitCode(2)
                }
                guard found.environment == env.name else {
                    await drop()
                    printError("error: --incident \(flag) is an incident of environment '\(found.environment)', not '\(env.name)'")
                    throw ExitCode(2)
                }
                return RunIncident(incident: found, desk: desk, format: { StandardStreams.out($0) })
            }
            let open = try await ledger.incidents(environment: env.name, all: false)
            guard open.count == 1 else {
                if open.count > 1 {
                    printError("warning: \(open.count) open incidents in \(env.name) (\(open.map(\.id).joined(separator: ", "))): the run is linked to none; pass --incident ID")
                }
                await drop()
                return nil
            }
            return RunIncident(incident: open[0], desk: desk, format: { StandardStreams.out($0) })
        } catch let error as LedgerError {
            await drop()
            printError("warning: the run is not linked to an incident: \(redactor.redact(error.message))")
            return nil
        }
    }

    /// Before the run: the escalation now due, posted (live runs only; a dry run shows it).
    func starting(quiet: Bool) async {
        do {
            let posts = try await desk.performDue(incident.id, only: [.escalation])
            printPosts(posts) { quiet ? StandardStreams.err($0) : StandardStreams.out($0) }
        } catch {
            printError("warning: \(incident.id): the escalation could not be posted: \(desk.redactor.redact(error.message))")
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
        do {
            try await desk.runEnded(incident, report: report, posted: posted)
        } catch {
            printError("warning: \(incident.id): the run was not added to the incident's timeline: \(desk.redactor.redact(error.message))")
        }
        await desk.shutdown()
        await desk.ledger.close()
    }
}
