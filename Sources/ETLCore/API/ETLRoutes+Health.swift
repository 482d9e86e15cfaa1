import Foundation
import Hummingbird

extension ETLRoutes {
    func health() async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        var database = HealthReport.Database(reachable: true, latencyMs: nil, error: nil)
        var lastFile: HealthReport.LastFile? = nil
        let store = self.store
        do {
            try await withTimeout(.seconds(2)) { try await store.ping() }
            let elapsed = clock.now - start
            database.latencyMs = (Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15 * 1000).rounded() / 1000
            if let json = try await withTimeout(.seconds(2), { try await store.lastProcessedJSON() }) {
                lastFile = try? JSONDecoder().decode(HealthReport.LastFile.self, from: Data(json.utf8))
            }
        } catch {
            database.reachable = false
            database.error = error is TimeoutError ? "no answer within 2 s" : PostgresErrorText.describe(error)
        }
        let snapshot = workerState.snapshot
        let alive = workerState.isAlive(timeout: configuration.heartbeatTimeout)
        let worker = HealthReport.Worker(
            alive: alive,
            lastHeartbeat: snapshot.lastHeartbeatDate,
            secondsSinceHeartbeat: snapshot.lastHeartbeat.map { Double((ContinuousClock.now - $0).milliseconds) / 1000 },
            stoppedByFault: snapshot.pausedByFault,
            filesProcessed: snapshot.filesProcessed,
            rowsLoaded: snapshot.rowsLoaded,
            processingFileID: snapshot.processingFileID,
            processingSeconds: snapshot.processingSince.map { Double((ContinuousClock.now - $0).milliseconds) / 1000 }
        )
        let status = !database.reachable ? "down" : (alive ? "ok" : "degraded")
        let report = HealthReport(
            status: status, database: database, worker: worker, lastProcessedFile: lastFile,
            faults: faults.current, uptimeSeconds: Double((ContinuousClock.now - startedAt).milliseconds) / 1000
        )
        return JSONBody.response(status: status == "ok" ? .ok : .serviceUnavailable, encoding: report)
    }

    func metrics() async throws -> Response {
        let store = self.store
        let snapshot = try? await withTimeout(.seconds(2)) { try await store.metricsSnapshot() }
        let gauges = ScrapeGauges(
            database: snapshot,
            worker: workerState.snapshot,
            workerAlive: workerState.isAlive(timeout: configuration.heartbeatTimeout),
            faults: faults.current,
            logs: configuration.logDirectory.flatMap(LogDiskUsage.measure)
        )
        let text = gauges.render() + metrics.render()
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
