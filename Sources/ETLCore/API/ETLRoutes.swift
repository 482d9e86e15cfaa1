import Hummingbird
import Logging

/// The REST API of `etl-core`, registered on a Hummingbird router.
///
/// | route | auth | answer |
/// | --- | --- | --- |
/// | `GET /health` | no | 200 ok / 503 degraded or down |
/// | `GET /metrics` | no | Prometheus text |
/// | `GET /files?status=&error_type=&limit=` | bearer | `{"files": [...], "count": n}` |
/// | `POST /files` `{filename, content}` | bearer | 201 `{"id": ...}` |
/// | `GET /files/{id}` | bearer | the file, with its content |
/// | `POST /files/{id}/reprocess` | bearer | back to `uploaded` |
/// | `POST /files/reprocess?error=connection&since_hours=4` | bearer | `{"requeued": n}` |
/// | `GET /dlq?status=unresolved&error_type=&limit=50` | bearer | `{"entries": [...]}` |
/// | `POST /dlq/resolve-transient` | bearer | `{"resolved": n, "requeued": m}` |
/// | `POST /dlq/{id}/resolve` | bearer | the entry |
/// | `GET/POST/DELETE /admin/faults` | bearer | the fault settings |
struct ETLRoutes: Sendable {
    let store: ETLStore
    let faults: FaultInjector
    let workerState: WorkerState
    let metrics: ETLMetrics
    let events: EventLog
    let configuration: ETLConfiguration
    let startedAt: ContinuousClock.Instant

    func register(on router: Router<BasicRequestContext>) {
        router.add(middleware: JSONErrorMiddleware(events: events))
        router.add(middleware: StallMiddleware(faults: faults, limit: configuration.stallLimit))
        router.add(middleware: BearerAuthMiddleware(token: configuration.apiToken))

        router.get("/health") { _, _ in try await self.health() }
        router.get("/metrics") { _, _ in try await self.metrics() }

        router.get("/files") { request, _ in try await self.listFiles(request) }
        router.post("/files") { request, context in try await self.upload(request, context: context) }
        router.post("/files/reprocess") { request, _ in try await self.reprocessErrors(request) }
        router.get("/files/:id") { _, context in try await self.file(context) }
        router.post("/files/:id/reprocess") { request, context in try await self.reprocess(request, context: context) }

        router.get("/dlq") { request, _ in try await self.listDeadLetters(request) }
        router.post("/dlq/resolve-transient") { request, _ in try await self.resolveTransient(request) }
        router.post("/dlq/:id/resolve") { request, context in try await self.resolve(request, context: context) }

        router.get("/admin/faults") { _, _ in JSONBody.response(encoding: self.faults.current) }
        router.post("/admin/faults") { request, context in try await self.setFaults(request, context: context) }
        router.delete("/admin/faults") { request, _ in self.clearFaults(request) }
    }
}
