import ArgumentParser
import Foundation
import RunbookCore
import RunbookRunner
import RunbookLedger

/// `runbook runs`: every operator's runs, from the team's ledger.
struct Runs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "The runs of every operator and host, from the team's ledger (newest first).",
        subcommands: [ListRuns.self, ShowRun.self],
        defaultSubcommand: ListRuns.self)

    enum Format: String, ExpressibleByArgument { case text, json }

    struct ListRuns: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List runs (the default): filter by runbook, operator, status, age; --active for what runs now.")

        @OptionGroup var options: LedgerOptions
        @Option(name: .customLong("runbook"), help: "Only this runbook's runs.") var runbook: String?
        @Option(name: .customLong("operator"), help: "Only this operator's runs.") var operatorName: String?
        @Option(name: .customLong("status"), help: "Only runs with this status (green, yellow, red, failed, aborted, error, running, unfinished).") var status: String?
        @Option(name: .customLong("since"), help: "Only runs started this long ago or less (e.g. 24h, 30m).") var since: String?
        @Flag(name: .customLong("active"), help: "Only runs going on now, with the run lock each holds.") var active = false
        @Flag(name: .customLong("all-environments"), help: "Runs of every environment that writes to this ledger.") var allEnvironments = false
        @Option(name: .customLong("limit"), help: "At most this many runs (default 100).") var limit = 100
        @Option(name: .customLong("format"), help: "text or json.") var format: Format = .text
        @Option(name: .customLong("key"), help: "Your SSH key (default: $RUNBOOK_SIGNING_KEY): signs the request to the environment's runner, when it names one.")
        var key: String?

        func run() async throws {
            var filter = LedgerRunFilter()
            if let since {
                guard let d = DurationText.parse(since) else {
                    throw CommandFailure(.usage, "error: --since takes a duration such as 24h or 30m, got '\(since)'")
                }
                filter.since = d
            }
            guard limit > 0 else {
                throw CommandFailure(.usage, "error: --limit must be at least 1")
            }
            let (ledger, env) = try await options.connect()
            filter.environment = allEnvironments ? nil : env.name
            filter.runbook = runbook
            filter.operatorName = operatorName
            filter.status = status
            filter.activeOnly = active
            filter.limit = limit
            let runs: [LedgerRun]
            do { runs = try await ledger.runs(filter) } catch {
                await ledger.close()
                throw ledgerFailure(error, redactor: Redactor(secrets: env.secrets))
            }
            await ledger.close()
            switch format {
            case .json:
                StandardStreams.out(JSON.encode(.list(runs.map(\.json)), pretty: true) + "\n")
            case .text:
                if runs.isEmpty {
                    StandardStreams.out(active ? "no run is going on in \(env.name)\n" : "no runs\n")
                    return
                }
                var table: [[String]] = [["RUN", "STARTED (UTC)", "RUNBOOK", "MODE", "OPERATOR", "HOST", "STATUS", "DURATION"] + (active ? ["RUN LOCK"] : [])]
                for r in runs {
                    var row = [r.runID, r.startedAt.map { String(AuditLog.timestamp($0).prefix(19)).replacingOccurrences(of: "T", with: " ") } ?? "?", r.runbook ?? "?", r.mode ?? "?", r.operatorName ?? "?", r.host ?? "?",
                               r.displayStatus, r.durationMs.map { DurationText.format(.milliseconds($0)) } ?? "-"]
                    if active { row.append(r.runLock ?? "none") }
                    table.append(row)
                }
                StandardStreams.out(TextTable.render(table))
            }
        }
    }

    struct ShowRun: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "One run from the ledger: inputs, every step with its command (secrets redacted), status, duration, output excerpt and gate decisions.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The run id.") var runID: String
        @Option(name: .customLong("format"), help: "text or json (the run's records).") var format: Format = .text
        @Option(name: .customLong("key"), help: "Your SSH key (default: $RUNBOOK_SIGNING_KEY): signs the request to the environment's runner, when it names one.")
        var key: String?

        func run() async throws {
            let (ledger, env) = try await options.connect()
            let records: [ValueObject]
            let active: Bool
            do {
                records = try await ledger.records(runID: runID)
                active = try await ledger.isActive(runID: runID)
            } catch {
                await ledger.close()
                throw ledgerFailure(error, redactor: Redactor(secrets: env.secrets))
            }
            await ledger.close()
            guard !records.isEmpty else {
                throw CommandFailure(.usage, "error: the ledger has no run '\(runID)'")
            }
            switch format {
            case .json: StandardStreams.out(JSON.encode(.list(records.map(Value.object)), pretty: true) + "\n")
            case .text: StandardStreams.out(RunTranscript.render(records, active: active))
            }
        }
    }
}
