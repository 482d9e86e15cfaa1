import ArgumentParser
import Foundation
import RunbookCore
import RunbookDrivers
import RunbookLedger

/// `runbook probe --env E`: one probe of etl-core's `/health`, recorded in the team's ledger
/// for the minute of the ledger's clock. Run it every minute (the timer of `runbook schedule
/// export`, or the runner); `sla-report` measures availability from these rows, and a minute
/// without one is unknown, not up. Exit 0 up · 1 down (recorded) · 2 no api.url or no ledger ·
/// 4 the ledger cannot be reached (nothing recorded).
struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe etl-core's /health once and record up or down in the ledger's availability history.",
        discussion: "Exit codes: 0 up · 1 down (recorded) · 2 no api.url or ledger in the environment · 4 ledger unreachable (nothing recorded).")

    @OptionGroup var ledgerOptions: LedgerOptions

    @Option(name: .customLong("timeout"), help: "How long /health may take to answer before the minute counts as down (default 10s).")
    var timeout: String = "10s"

    func run() async throws {
        guard let limit = DurationText.parse(timeout), limit > .zero else {
            throw CommandFailure(.usage, "error: --timeout: '\(timeout)' is not a duration (10s, 500ms)")
        }
        let environment = try ledgerOptions.loadEnvironment()
        guard let api = environment.apiURL, !api.isEmpty else {
            throw CommandFailure(.usage, "error: environment '\(environment.name)' has no api.url to probe")
        }
        let (ledger, _) = try await ledgerOptions.connect()
        let redactor = Redactor(secrets: environment.secrets)
        let verdict = await Self.probe(api: api, environment: environment, timeout: limit)
        let recorded: Ledger.ProbeMinute
        do {
            try await ledger.requireCurrentSchema()
            recorded = try await ledger.recordProbe(environment: environment.name, up: verdict.up, detail: redactor.redact(verdict.detail))
        } catch {
            await ledger.close()
            throw ledgerFailure(error, redactor: redactor)
        }
        await ledger.close()
        print("\(environment.name) \(recorded.minute): \(verdict.up ? "up" : "down") (\(redactor.redact(verdict.detail)))"
              + (verdict.up && !recorded.up ? "; the minute stays down (another probe saw it down)" : ""))
        if !verdict.up { throw CommandFailure(.failed) }
    }

    /// One `GET {api}/health`, without the token (the route is public), judged by ``HealthVerdict``.
    static func probe(api: String, environment: Environment, timeout: Duration) async -> HealthVerdict {
        let http = HTTPDriver(connectTimeout: timeout)
        defer { Task { await http.shutdown() } }
        let base = api.hasSuffix("/") ? String(api.dropLast()) : api
        let context = DriverContext(stepID: "probe", kind: .check, timeout: timeout, environment: environment,
                                    redactor: Redactor(secrets: environment.secrets))
        do {
            let output = try await withDeadline(timeout) {
                try await http.execute(.http(.init(method: "GET", url: base + "/health")), context: context)
            }
            let status = output.result["status"]?.number.map { Int($0) } ?? 0
            return HealthVerdict.answered(status: status, json: output.result["json"])
        } catch is TimeoutError {
            return HealthVerdict.unanswered("no answer within \(DurationText.format(timeout))")
        } catch let error as DriverError {
            return HealthVerdict.unanswered(error.message.components(separatedBy: ": ").last ?? error.message)
        } catch {
            return HealthVerdict.unanswered("\(error)")
        }
    }
}
