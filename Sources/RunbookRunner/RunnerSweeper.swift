import Foundation
import Logging
import RunbookCore
import RunbookDrivers
import RunbookLedger
import ServiceLifecycle

/// Records the end of runs whose replica was lost (SIGKILL, a node gone): every few seconds a
/// replica looks for runs of its environment that a runner started, that have no end, and
/// that no live process holds (PostgreSQL dropped the dead replica's session locks with its
/// connections, the run lock included). Each gets a `run.ended` record, `aborted` with exit
/// 130, in this replica's own sweeper log, sent to the ledger with a checkpoint the runner
/// signs: the run is recorded as interrupted, by whom and why, never silently rewritten.
struct RunnerSweeper: Service {
    let configuration: RunnerConfiguration
    let logger: Logger
    var interval: Duration = .seconds(3)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One look; failures are logged and tried again next time.
    func sweep() async {
        let lost: [String]
        do {
            let ledger = try await Ledger.connect(url: configuration.ledgerURL)
            defer { Task { await ledger.close() } }
            lost = try await ledger.lostRunnerRuns(environment: configuration.environment.name)
        } catch {
            logger.warning("sweeper: \(error.message)")
            return
        }
        guard !lost.isEmpty else { return }
        let safeReplica = configuration.replica.map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let path = configuration.stateDirectory.appendingPathComponent("audit/sweeper-\(String(safeReplica)).jsonl").path
        do {
            let log = try AuditLog(path: path)
            var last: String?
            for runID in lost {
                _ = try log.append(event: "run.ended", runID: runID, fields: [
                    ("status", .string(RunReport.Status.aborted.rawValue)), ("exit_code", .int(130)), ("duration_ms", .int(0)),
                    ("message", .string("interrupted: the runner replica executing it was lost; recorded by replica \(configuration.replica)")),
                ], sync: true)
                last = runID
            }
            let checkpoint = try? await CheckpointWriter(key: configuration.key, principal: configuration.principal).write(log: log, runID: last)
            let writer = LedgerWriter(url: configuration.ledgerURL, logPath: path, host: configuration.replica,
                                      environment: configuration.environment.name) { message in logger.warning("sweeper: \(message)") }
            await writer.start()
            await writer.finish(checkpoints: checkpoint.map { [$0] } ?? [])
            await writer.close()
        } catch {
            logger.warning("sweeper: \(error)")
        }
    }
}
