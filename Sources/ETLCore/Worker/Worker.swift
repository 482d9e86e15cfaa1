import Logging
import ServiceLifecycle

/// The ETL worker: claims uploaded files, parses them, loads valid rows, sends bad rows to
/// the dead letter queue, and writes the log lines the runbook reads.
///
/// It runs as a `Service` and stops between files on graceful shutdown; files it claimed
/// but did not start are put back in the queue.
public struct Worker: Service {
    let store: ETLStore
    let faults: FaultInjector
    let state: WorkerState
    let metrics: ETLMetrics
    let events: EventLog
    let parser: CattleLotParser
    let pollInterval: Duration
    let batchSize: Int
    let slowThreshold: Duration
    let beatInterval: Duration
    let storageAddress: String
    let logger: Logger

    /// Creates a worker.
    public init(store: ETLStore, faults: FaultInjector, state: WorkerState, metrics: ETLMetrics, events: EventLog,
                configuration: ETLConfiguration, logger: Logger) {
        self.store = store
        self.faults = faults
        self.state = state
        self.metrics = metrics
        self.events = events
        self.parser = CattleLotParser(maxBytes: configuration.maxUploadBytes)
        self.pollInterval = configuration.pollInterval
        self.batchSize = configuration.batchSize
        self.slowThreshold = configuration.slowThreshold
        self.beatInterval = max(configuration.heartbeatTimeout / 4, .milliseconds(10))
        self.storageAddress = configuration.storageAddress
        self.logger = logger
    }

    public func run() async throws {
        events.write(.info, "worker", "started poll_ms=\(pollInterval.milliseconds) batch=\(batchSize)")
        var databaseDown = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let current = faults.current
            if current.holdsWorker {
                state.setPausedByFault(true)
                try? await Task.sleep(for: pollInterval)
                continue
            }
            state.setPausedByFault(false)
            state.heartbeat()
            let claimed: [ClaimedFile]
            do {
                claimed = try await store.claim(limit: current.slowMilliseconds > 0 ? 1 : batchSize)
                if databaseDown {
                    events.write(.info, "worker", "database reachable again")
                    databaseDown = false
                }
            } catch {
                if !databaseDown {
                    events.error("worker", fileID: nil, errorType: ErrorType.connection.rawValue,
                                 "cannot claim files: \(PostgresErrorText.describe(error))")
                    databaseDown = true
                }
                try? await Task.sleep(for: pollInterval)
                continue
            }
            if claimed.isEmpty {
                try? await Task.sleep(for: pollInterval)
                continue
            }
            // The fault may have been set while the claim was on its way to the database: a
            // file uploaded after the worker was stopped must stay uploaded, so give it back.
            if faults.current.holdsWorker {
                try? await store.release(claimed)
                continue
            }
            var index = 0
            while index < claimed.count && !Task.isShuttingDownGracefully && !Task.isCancelled {
                await processBeating(claimed[index])
                state.heartbeat()
                index += 1
            }
            if index < claimed.count {
                try? await store.release(Array(claimed[index...]))
            }
        }
        events.write(.info, "worker", "stopped")
    }

    /// Processes one file while beating the heartbeat every quarter of the timeout: a file
    /// slower than the timeout (a big file, a slow database, a lock) is a busy worker, not a
    /// dead one. `/health` names the file and how long it has taken (`processing_file_id`,
    /// `processing_seconds`), so a worker stuck on one file is still visible.
    func processBeating(_ file: ClaimedFile) async {
        state.beginFile(file.id)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [state, beatInterval] in
                while !Task.isCancelled {
                    state.heartbeat()
                    try? await Task.sleep(for: beatInterval)
                }
            }
            await process(file)
            group.cancelAll()
        }
        state.endFile()
    }

    /// Processes one claimed file to its final status. Never throws: every failure is
    /// recorded on the file, in the DLQ and in the logs.
    func process(_ file: ClaimedFile) async {
        let clock = ContinuousClock()
        let start = clock.now
        let current = faults.current
        var rowsLoaded = 0
        // nil until the file reaches a final status; then its error type, or nil inside for loaded.
        var outcome: ErrorType?? = nil
        do {
            if current.slowMilliseconds > 0 {
                try await store.simulateSlowStorage(milliseconds: current.slowMilliseconds)
            }
            if current.connectionErrorRate > 0, Double.random(in: 0..<1) < current.connectionErrorRate {
                let message = "connection refused: upstream storage unavailable (\(storageAddress))"
                try await store.fail(file, errorType: .connection, message: message)
                outcome = .some(.connection)
                events.error("worker", fileID: file.id, errorType: ErrorType.connection.rawValue, "\(file.filename) \(message)")
            } else {
                do {
                    let parsed = try parser.parse(file.content)
                    let status = try await store.complete(file, parsed: parsed)
                    rowsLoaded = parsed.lots.count
                    outcome = .some(nil)
                    if status == .loaded {
                        events.write(.info, "worker", "file_id=\(file.id) loaded rows=\(parsed.lots.count) rejected=\(parsed.rejected.count) file=\(EventLog.token(file.filename))")
                    } else {
                        let type = parsed.rejected.filter { $0.errorType == .data }.count * 2 > parsed.rejected.count ? ErrorType.data : ErrorType.validation
                        outcome = .some(type)
                        events.error("worker", fileID: file.id, errorType: type.rawValue,
                                     "\(file.filename) no valid rows, \(parsed.rejected.count) rejected")
                    }
                    for row in parsed.rejected.prefix(20) {
                        events.write(.warn, "worker", "file_id=\(file.id) rejected line=\(row.line) type=\(row.errorType.rawValue) \(row.message)")
                    }
                } catch let rejection as FileRejection {
                    try await store.fail(file, errorType: rejection.errorType, message: rejection.message)
                    outcome = .some(rejection.errorType)
                    events.error("worker", fileID: file.id, errorType: rejection.errorType.rawValue, "\(file.filename) \(rejection.message)")
                }
            }
        } catch is ClaimLost {
            events.write(.warn, "worker", "file_id=\(file.id) claim lost: re-queued or claimed by another worker since this one took it; its result was rolled back file=\(EventLog.token(file.filename))")
            return
        } catch {
            events.error("worker", fileID: file.id, errorType: ErrorType.connection.rawValue,
                         "\(file.filename) database error: \(PostgresErrorText.describe(error))")
        }
        let elapsed = (clock.now - start).milliseconds
        events.processingTime(filename: file.filename, milliseconds: elapsed)
        if current.slowMilliseconds > 0 || elapsed >= slowThreshold.milliseconds {
            events.slowQuery("worker", fileID: file.id, milliseconds: elapsed,
                             "query=\"load file \(EventLog.token(file.filename))\" threshold_ms=\(slowThreshold.milliseconds)")
        }
        state.recordFile(rowsLoaded: rowsLoaded, milliseconds: elapsed)
        if let outcome {
            metrics.fileFinished(errorType: outcome, seconds: Double(elapsed) / 1000)
        } else {
            metrics.fileAbandoned()
        }
    }
}
